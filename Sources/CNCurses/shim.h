// ncursesw for Swift. NCURSES_WIDECHAR must be set before the header or the wide API is hidden.
#ifndef ONIONCTL_CNCURSES_SHIM_H
#define ONIONCTL_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <ncursesw/curses.h>

static inline int onionctl_COLOR_PAIR(int n) { return (int)COLOR_PAIR(n); }
static inline int onionctl_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int onionctl_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline unsigned int onionctl_A_BOLD(void) { return A_BOLD; }
static inline unsigned int onionctl_A_REVERSE(void) { return A_REVERSE; }
static inline unsigned int onionctl_A_DIM(void) { return A_DIM; }
static inline unsigned int onionctl_A_UNDERLINE(void) { return A_UNDERLINE; }
static inline int onionctl_KEY_RESIZE(void) { return KEY_RESIZE; }
#endif
