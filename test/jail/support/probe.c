/*
 * TEST-ONLY Node-API addon: a raw syscall(nr, a0..a5) for the jail's probes. Compiled by the test
 * fixture into a temporary directory and mounted into the jail only by tests; it never ships (a
 * raw-syscall function taking integer pointers is a gadget). Built freestanding (no libc headers):
 * the few Node-API declarations it needs are written out here, resolved from the node binary at
 * load time.
 */
typedef struct napi_env__ *napi_env;
typedef struct napi_value__ *napi_value;
typedef struct napi_callback_info__ *napi_callback_info;
typedef int napi_status;
typedef napi_value (*napi_callback)(napi_env env, napi_callback_info info);

extern napi_status napi_get_cb_info(napi_env env, napi_callback_info info, unsigned long *argc, napi_value *argv,
                                    napi_value *this_arg, void **data);
extern napi_status napi_get_value_int64(napi_env env, napi_value value, long long *result);
extern napi_status napi_create_int64(napi_env env, long long value, napi_value *result);
extern napi_status napi_create_function(napi_env env, const char *utf8name, unsigned long length, napi_callback cb,
                                        void *data, napi_value *result);
extern napi_status napi_set_named_property(napi_env env, napi_value object, const char *utf8name, napi_value value);

static long raw_syscall(long n, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

/* syscall(nr, ...args) -> the raw return value (negative errno on failure). */
static napi_value Syscall(napi_env env, napi_callback_info info) {
  unsigned long argc = 7;
  napi_value argv[7];
  long long v[7] = {0, 0, 0, 0, 0, 0, 0};
  napi_value out;
  unsigned long i;
  napi_get_cb_info(env, info, &argc, argv, 0, 0);
  for (i = 0; i < argc && i < 7; i++) napi_get_value_int64(env, argv[i], &v[i]);
  napi_create_int64(env, raw_syscall(v[0], v[1], v[2], v[3], v[4], v[5], v[6]), &out);
  return out;
}

__attribute__((visibility("default"))) napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "syscall", 7, Syscall, 0, &fn);
  napi_set_named_property(env, exports, "syscall", fn);
  return exports;
}

__attribute__((visibility("default"))) int node_api_module_get_api_version_v1(void) { return 8; }
