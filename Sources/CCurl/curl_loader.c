// CURLOPT_PROTOCOLS, the fallback below, is deprecated from libcurl 7.85.
#define CURL_DISABLE_DEPRECATION 1
#include "authsweep_curl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// The entry points authsweep uses, resolved once by authsweep_curl_load.
static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *handle);
    CURLcode (*easy_perform)(CURL *handle);
    const char *(*easy_strerror)(CURLcode code);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_getinfo)(CURL *handle, CURLINFO info, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *text);
    void (*slist_free_all)(struct curl_slist *list);
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;
static char load_error[256] = "libcurl was not loaded";

static void *symbol(void *library, const char *name, int *missing) {
    void *address = dlsym(library, name);
    if (address == NULL) {
        snprintf(load_error, sizeof load_error, "libcurl.so.4 has no %s", name);
        *missing = 1;
    }
    return address;
}

static void load(void) {
    // RTLD_NODELETE: never unloaded, so a handle made by one thread stays
    // valid for as long as the process runs.
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (library == NULL) {
        snprintf(load_error, sizeof load_error, "libcurl.so.4 cannot be loaded (install libcurl4): %s", dlerror());
        return;
    }
    int missing = 0;
    curl.global_init = symbol(library, "curl_global_init", &missing);
    curl.easy_init = symbol(library, "curl_easy_init", &missing);
    curl.easy_cleanup = symbol(library, "curl_easy_cleanup", &missing);
    curl.easy_perform = symbol(library, "curl_easy_perform", &missing);
    curl.easy_strerror = symbol(library, "curl_easy_strerror", &missing);
    curl.easy_setopt = symbol(library, "curl_easy_setopt", &missing);
    curl.easy_getinfo = symbol(library, "curl_easy_getinfo", &missing);
    curl.slist_append = symbol(library, "curl_slist_append", &missing);
    curl.slist_free_all = symbol(library, "curl_slist_free_all", &missing);
    if (missing) return;
    // curl_global_init is not thread-safe itself: pthread_once makes it once.
    CURLcode code = curl.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        snprintf(load_error, sizeof load_error, "libcurl could not be initialised: %s", curl.easy_strerror(code));
        return;
    }
    loaded = 1;
}

int authsweep_curl_load(void) {
    pthread_once(&load_once, load);
    return loaded;
}

const char *authsweep_curl_load_error(void) { return load_error; }

CURL *authsweep_curl_easy_init(void) { return curl.easy_init(); }
void authsweep_curl_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }
CURLcode authsweep_curl_easy_perform(CURL *handle) { return curl.easy_perform(handle); }
const char *authsweep_curl_easy_strerror(CURLcode code) { return curl.easy_strerror(code); }
struct curl_slist *authsweep_curl_slist_append(struct curl_slist *list, const char *text) { return curl.slist_append(list, text); }
void authsweep_curl_slist_free_all(struct curl_slist *list) { curl.slist_free_all(list); }

CURLcode authsweep_curl_set_long(CURL *handle, CURLoption option, long value) { return curl.easy_setopt(handle, option, value); }
CURLcode authsweep_curl_set_string(CURL *handle, CURLoption option, const char *value) { return curl.easy_setopt(handle, option, value); }

CURLcode authsweep_curl_allow_http_only(CURL *handle) {
#if LIBCURL_VERSION_NUM >= 0x075500
    CURLcode code = curl.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    // Built with 7.85's header, run on an older libcurl: the bitmask.
    if (code != CURLE_UNKNOWN_OPTION) return code;
#endif
    return curl.easy_setopt(handle, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
}
CURLcode authsweep_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value) { return curl.easy_setopt(handle, option, value); }

static size_t discard(char *data, size_t size, size_t count, void *context) {
    (void)data;
    (void)context;
    return size * count;
}

CURLcode authsweep_curl_discard_body(CURL *handle) { return curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, discard); }

CURLcode authsweep_curl_get_response_code(CURL *handle, long *code) { return curl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, code); }
