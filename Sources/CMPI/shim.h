// Open MPI's C interface (pkg-config ompi-c); its handle constants are macros, which
// CKilnMPI turns into functions.
#include <mpi.h>
