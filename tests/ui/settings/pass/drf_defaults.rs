// Every key left out: DRF's defaults, the same as the runtime's `DefaultSettings`.

drf::settings! {}

fn main() {
    use drf::{DefaultSettings, Settings as _};
    use std::any::TypeId;
    assert_eq!(
        TypeId::of::<<Settings as drf::Settings>::Authentication>(),
        TypeId::of::<<DefaultSettings as drf::Settings>::Authentication>()
    );
    assert_eq!(
        TypeId::of::<<Settings as drf::Settings>::Permission>(),
        TypeId::of::<<DefaultSettings as drf::Settings>::Permission>()
    );
    assert_eq!(Settings::TOKEN_KEYWORD, DefaultSettings::TOKEN_KEYWORD);
    assert_eq!(
        Settings::PASSWORD_ITERATIONS,
        DefaultSettings::PASSWORD_ITERATIONS
    );
    let _ = drf::Router::<Settings>::new();
}
