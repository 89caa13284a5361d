// Communicators for data-parallel training: the group of one process, and the protocol a transport implements.
@_exported import Kiln
