#include "CFuzzerDriver.h"

// Declared by libFuzzer (compiler-rt), linked in by -sanitize=fuzzer.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*test)(const uint8_t *data, size_t size));

int kiln_fuzz_main(int argc, char **argv, KilnFuzzTest test) {
    return LLVMFuzzerRunDriver(&argc, &argv, test);
}
