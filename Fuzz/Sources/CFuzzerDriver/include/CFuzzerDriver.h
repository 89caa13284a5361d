#ifndef C_FUZZER_DRIVER_H
#define C_FUZZER_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// The test of one input: libFuzzer's `LLVMFuzzerTestOneInput` signature.
typedef int (*KilnFuzzTest)(const uint8_t *data, size_t size);

/// Runs libFuzzer's driver (command-line flags, corpus, mutations) on `test` and returns its
/// exit status. SwiftPM gives every executable its own `main`, so libFuzzer's is not used.
int kiln_fuzz_main(int argc, char **argv, KilnFuzzTest test);

#endif
