#include "kiln_mpi.h"

MPI_Comm kiln_mpi_comm_world(void) { return MPI_COMM_WORLD; }
MPI_Datatype kiln_mpi_float(void) { return MPI_FLOAT; }
MPI_Datatype kiln_mpi_double(void) { return MPI_DOUBLE; }
MPI_Datatype kiln_mpi_byte(void) { return MPI_BYTE; }
const void *kiln_mpi_in_place(void) { return MPI_IN_PLACE; }
MPI_Op kiln_mpi_sum(void) { return MPI_SUM; }
MPI_Errhandler kiln_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
int kiln_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
