// fcgiapp.h only: fcgi_stdio.h redefines FILE, stdin and printf.
#include <fcgiapp.h>
