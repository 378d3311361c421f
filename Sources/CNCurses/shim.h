// ncursesw for Swift. NCURSES_WIDECHAR must be set before the header or the wide API is hidden.
#ifndef ONIONCTL_CNCURSES_SHIM_H
#define ONIONCTL_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include <ncursesw/curses.h>

static inline int onionctl_COLOR_PAIR(int n) { return (int)COLOR_PAIR(n); }
static inline int onionctl_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int onionctl_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline unsigned int onionctl_A_NORMAL(void) { return A_NORMAL; }
static inline unsigned int onionctl_A_BOLD(void) { return A_BOLD; }
static inline unsigned int onionctl_A_REVERSE(void) { return A_REVERSE; }
static inline unsigned int onionctl_A_DIM(void) { return A_DIM; }
static inline unsigned int onionctl_A_UNDERLINE(void) { return A_UNDERLINE; }
static inline unsigned int onionctl_A_STANDOUT(void) { return A_STANDOUT; }
static inline int onionctl_KEY_RESIZE(void) { return KEY_RESIZE; }

// Globals Swift 6 refuses to touch (shared mutable state), read through functions.
static inline WINDOW *onionctl_stdscr(void) { return stdscr; }
static inline int onionctl_COLORS(void) { return COLORS; }
static inline int onionctl_COLOR_PAIRS(void) { return COLOR_PAIRS; }

/// Sets attributes and colour pair (extended pairs beyond 32767 go through opts).
static inline int onionctl_wattr_set(WINDOW *w, unsigned int attrs, int pair) {
    return wattr_set(w, (attr_t)attrs, (short)(pair <= 32767 ? pair : 0), pair <= 32767 ? NULL : (void *)&pair);
}

/// nl_langinfo(CODESET) after setlocale: "UTF-8" in a UTF-8 locale.
static inline const char *onionctl_codeset(void) { return nl_langinfo(CODESET); }

/// True when a terminfo string capability exists (e.g. "cup").
static inline int onionctl_has_string_cap(const char *name) {
    char *s = tigetstr(name);
    return s != NULL && s != (char *)-1;
}

// MARK: Terminal restoration (exit, Ctrl-C, crash)
//
// The state lives in a function-local static, so every Swift *file* that calls these functions
// may get its own copy: call them from OnionctlUI's Terminal/CursesTerminal.swift only.

struct onionctl_restore_state {
    struct termios saved_termios;
    int have_termios;
    char restore_bytes[512];
    size_t restore_length;
    volatile sig_atomic_t curses_active;
    volatile sig_atomic_t quit_signal;
    int wake_fd;
    int atexit_done;
    struct sigaction previous[65];
};

/// The one instance (a function-local static: Swift's importer emits those, not file-scope statics).
static inline struct onionctl_restore_state *onionctl_state(void) {
    static struct onionctl_restore_state state = {.wake_fd = -1};
    return &state;
}
#define onionctl_saved_termios (onionctl_state()->saved_termios)
#define onionctl_have_termios (onionctl_state()->have_termios)
#define onionctl_restore_bytes (onionctl_state()->restore_bytes)
#define onionctl_restore_length (onionctl_state()->restore_length)
#define onionctl_curses_active (onionctl_state()->curses_active)
#define onionctl_quit_signal (onionctl_state()->quit_signal)
#define onionctl_wake_fd (onionctl_state()->wake_fd)
#define onionctl_previous (onionctl_state()->previous)

/// Saves the shell's terminal modes (call before newterm).
static inline void onionctl_save_termios(int fd) {
    onionctl_have_termios = tcgetattr(fd, &onionctl_saved_termios) == 0;
}

static inline void onionctl_append_cap(const char *name) {
    char *s = tigetstr(name);
    if (s == NULL || s == (char *)-1) return;
    size_t n = strlen(s);
    if (onionctl_restore_length + n >= sizeof onionctl_restore_bytes) return;
    memcpy(onionctl_restore_bytes + onionctl_restore_length, s, n);
    onionctl_restore_length += n;
}

/// Precomputes rmcup + cnorm + sgr0 for the current terminal (call after newterm).
static inline void onionctl_prepare_restore(void) {
    onionctl_restore_length = 0;
    onionctl_append_cap("sgr0");
    onionctl_append_cap("cnorm");
    onionctl_append_cap("rmcup");
}

/// Async-signal-safe: writes the precomputed bytes and restores the saved modes.
static inline void onionctl_emergency_restore(void) {
    if (!onionctl_curses_active) return;
    onionctl_curses_active = 0;
    if (onionctl_restore_length > 0) {
        ssize_t ignored = write(STDOUT_FILENO, onionctl_restore_bytes, onionctl_restore_length);
        (void)ignored;
    }
    if (onionctl_have_termios) tcsetattr(STDIN_FILENO, TCSANOW, &onionctl_saved_termios);
}

static void onionctl_crash_handler(int sig) {
    onionctl_emergency_restore();
    // Hand the signal to whoever had it before (the Swift backtracer), then let it fire again.
    sigaction(sig, &onionctl_previous[sig], NULL);
    raise(sig);
}

static void onionctl_quit_handler(int sig) {
    if (onionctl_quit_signal) {  // second Ctrl-C: the UI is stuck; restore and leave now
        onionctl_emergency_restore();
        _exit(128 + sig);
    }
    onionctl_quit_signal = sig;
    if (onionctl_wake_fd >= 0) {
        char b = 'q';
        ssize_t ignored = write(onionctl_wake_fd, &b, 1);
        (void)ignored;
    }
}

static void onionctl_atexit(void) { onionctl_emergency_restore(); }

/// Installs the handlers: crash signals restore then chain; SIGINT/SIGTERM/SIGHUP ask the UI to quit
/// (and wake it through `wake_fd`).
static inline void onionctl_install_handlers(int wake_fd) {
    onionctl_wake_fd = wake_fd;
    onionctl_quit_signal = 0;
    int crash[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE};
    for (size_t i = 0; i < sizeof crash / sizeof crash[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = onionctl_crash_handler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_NODEFER | SA_ONSTACK;
        sigaction(crash[i], &sa, &onionctl_previous[crash[i]]);
    }
    int quit[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof quit / sizeof quit[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = onionctl_quit_handler;
        sigemptyset(&sa.sa_mask);
        sigaction(quit[i], &sa, &onionctl_previous[quit[i]]);
    }
    if (!onionctl_state()->atexit_done) { atexit(onionctl_atexit); onionctl_state()->atexit_done = 1; }
}

/// Puts back the handlers that were there before onionctl_install_handlers.
static inline void onionctl_remove_handlers(void) {
    int all[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) sigaction(all[i], &onionctl_previous[all[i]], NULL);
    onionctl_wake_fd = -1;
}

static inline void onionctl_set_curses_active(int active) { onionctl_curses_active = active; }
static inline int onionctl_quit_requested(void) { return onionctl_quit_signal; }
#endif
