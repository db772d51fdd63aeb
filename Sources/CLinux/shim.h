// Linux calls that Swift's Glibc module leaves out: epoll, timerfd, and
// accept4 and pipe2 (declared by glibc only under _GNU_SOURCE).
#ifndef __linux__
#error "authsweep runs on Linux only: its responders need epoll and accept4"
#endif
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

int accept4(int socket, struct sockaddr *address, socklen_t *length, int flags);
int pipe2(int descriptors[2], int flags);
