#ifndef AUTHSWEEP_CURL_H
#define AUTHSWEEP_CURL_H

// libcurl, loaded on first use (dlopen of libcurl.so.4): a worker that sends
// no pings never maps it, nor what it pulls in (GnuTLS, p11-kit, libssh2,
// nghttp2, ...), about 1.7 MiB of memory per process. The types and
// constants come from libcurl's own header; every call goes through the
// typed wrappers below (curl_easy_setopt and curl_easy_getinfo are variadic,
// which Swift cannot call). Call nothing else before
// authsweep_curl_load() has returned 1.
#include <curl/curl.h>

// Loads and initialises libcurl once (thread-safe); 1 when it is usable,
// 0 when it could not be loaded (see authsweep_curl_load_error).
int authsweep_curl_load(void);
// Why authsweep_curl_load returned 0, for a log line.
const char *authsweep_curl_load_error(void);

CURL *authsweep_curl_easy_init(void);
void authsweep_curl_easy_cleanup(CURL *handle);
CURLcode authsweep_curl_easy_perform(CURL *handle);
const char *authsweep_curl_easy_strerror(CURLcode code);
struct curl_slist *authsweep_curl_slist_append(struct curl_slist *list, const char *text);
void authsweep_curl_slist_free_all(struct curl_slist *list);
CURLcode authsweep_curl_set_long(CURL *handle, CURLoption option, long value);
CURLcode authsweep_curl_set_string(CURL *handle, CURLoption option, const char *value);
CURLcode authsweep_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value);
// Only http:// and https:// URLs: CURLOPT_PROTOCOLS_STR where libcurl has
// it (7.85 and later), else the CURLOPT_PROTOCOLS bitmask it replaced (so
// the build works on Ubuntu 22.04's 7.81 too).
CURLcode authsweep_curl_allow_http_only(CURL *handle);
// The answer's body is read and dropped.
CURLcode authsweep_curl_discard_body(CURL *handle);
CURLcode authsweep_curl_get_response_code(CURL *handle, long *code);

#endif
