// libFuzzer's entry points (compiler-rt FuzzerInterface.h / FuzzerDriver.cpp), declared for
// Swift. The definitions come from libclang_rt.fuzzer, which `-sanitize=fuzzer` links.
#ifndef ONIONCTL_CFUZZER_H
#define ONIONCTL_CFUZZER_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer as its own main() would, calling `callback` for each input.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
