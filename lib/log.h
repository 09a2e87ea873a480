/* Logging to stderr or a file, with levels. Never log secrets. */
#ifndef OVM_LOG_H
#define OVM_LOG_H
enum { LOG_ERR_ = 0, LOG_WARN_ = 1, LOG_INFO_ = 2, LOG_DEBUG_ = 3 };
void log_set_level(int level);
void log_set_file(const char *path);   /* NULL: stderr */
void log_set_ident(const char *ident);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_err(...)   log_msg(LOG_ERR_, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN_, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO_, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG_, __VA_ARGS__)
#endif
