// Linux calls that Swift's Glibc module leaves out: epoll, and accept4
// (declared by <sys/socket.h> only under _GNU_SOURCE).
#ifndef __linux__
#error "authsweep runs on Linux only: its responders need epoll and accept4"
#endif
#include <sys/epoll.h>
#include <sys/socket.h>

int accept4(int socket, struct sockaddr *address, socklen_t *length, int flags);
