// Header-only target: see include/CFuzzer.h.
#include "CFuzzer.h"
