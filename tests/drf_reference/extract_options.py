"""Write three recorded OPTIONS bodies to separate files (options/), exactly as received."""
import json
import os
import sys

src, outdir = sys.argv[1], sys.argv[2]
os.makedirs(outdir, exist_ok=True)
wanted = {
    "options_basic_alice": "basic_alice.json",
    "options_public_anon": "public_anon.json",
    "options_api_token_auth_anon": "api_token_auth_anon.json",
}
for line in open(src, encoding="utf-8"):
    c = json.loads(line)
    if c["name"] in wanted:
        with open(os.path.join(outdir, wanted[c["name"]]), "w", encoding="utf-8", newline="") as f:
            f.write(c["response_body"])
