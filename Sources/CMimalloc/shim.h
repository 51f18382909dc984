// mimalloc replaces malloc and free for the whole process when the executable links it (its symbols come
// before libc's in the search order). Only the executable imports this module: the library and its tests
// use the system allocator.
#include <mimalloc.h>
