// MPI's predefined handles are macros that Swift cannot import (Open MPI defines them as
// addresses of library globals); these functions return them.
#ifndef KILN_MPI_H
#define KILN_MPI_H

#include <mpi.h>

/// The communicator of every process mpirun started.
MPI_Comm kiln_mpi_comm_world(void);
/// Element types of reductions and broadcasts.
MPI_Datatype kiln_mpi_float(void);
MPI_Datatype kiln_mpi_double(void);
MPI_Datatype kiln_mpi_byte(void);
/// The send buffer that says a reduction works in place on its receive buffer.
const void *kiln_mpi_in_place(void);
/// The element-wise sum of a reduction.
MPI_Op kiln_mpi_sum(void);
/// The error handler that makes a failed call return its code instead of ending the process.
MPI_Errhandler kiln_mpi_errors_return(void);
/// The thread level at which only the thread that initialized MPI calls it.
int kiln_mpi_thread_funneled(void);

#endif
