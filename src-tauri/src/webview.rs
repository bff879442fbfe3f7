//! WebKitGTK settings of the window's webview: what the window never uses is switched off, so
//! it idles in less memory and paints its frames with less work (BENCHMARKS.md, "Desktop app").

use tauri::{Runtime, WebviewWindow};

/// `PERSONA_INSPECTOR_GPU_COMPOSITING=1` keeps WebKit's accelerated compositing (OpenGL). Off by
/// default: the window has no animation, video, canvas or 3D to gain from it, and without a GPU
/// (Mesa's llvmpipe) it cost ~95 MiB in WebKit's web process and slower frames.
pub const GPU_COMPOSITING_ENV: &str = "PERSONA_INSPECTOR_GPU_COMPOSITING";

/// Before GTK and WebKit start (first thing in `run`, while the process has one thread): without
/// GPU compositing, WebKit's own switch (`WEBKIT_DISABLE_COMPOSITING_MODE`,
/// https://trac.webkit.org/wiki/EnvironmentVariables) also spares the app process setting up
/// OpenGL before it starts the web process, which the setting in [`tune`] comes too late for.
pub fn before_start() {
    #[cfg(target_os = "linux")]
    {
        const WEBKIT_SWITCH: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
        let gpu = std::env::var_os(GPU_COMPOSITING_ENV).is_some_and(|v| v == "1");
        if !gpu && std::env::var_os(WEBKIT_SWITCH).is_none() {
            // SAFETY: called at the start of `run`, before any thread exists (the async
            // runtime, GTK and WebKit start after it), so nothing reads the environment meanwhile.
            unsafe { std::env::set_var(WEBKIT_SWITCH, "1") };
        }
    }
}

/// Applies the settings to `window`'s webview; a failure is logged, the window works either way.
pub fn tune<R: Runtime>(window: &WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let gpu = std::env::var_os(GPU_COMPOSITING_ENV).is_some_and(|v| v == "1");
        if let Err(error) = window.with_webview(move |webview| linux::tune(&webview.inner(), gpu)) {
            tracing::warn!("could not apply the webview's settings: {error}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

#[cfg(target_os = "linux")]
mod linux {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebView, WebViewExt,
    };

    pub fn tune(view: &WebView, gpu: bool) {
        // One local page, never navigated away from: no page cache, no large memory caches.
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
        let Some(settings) = WebViewExt::settings(view) else {
            tracing::warn!("the webview has no settings to tune");
            return;
        };
        if !gpu {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
        settings.set_enable_webgl(false);
        settings.set_enable_page_cache(false);
    }
}
