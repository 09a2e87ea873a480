/* Unit tests of the session <-> engine framing (lib/proto.c): a result that
 * fits goes out whole, one that does not becomes a short failure instead of
 * a frame the session would refuse (and then wait for good). Every send is
 * bounded by SO_SNDTIMEO, so a wrong implementation fails, never hangs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>
#include "lib/proto.h"

typedef struct pair {
    int fd[2];
} pair;

static int setup(void **state)
{
    pair *p = calloc(1, sizeof *p);
    if (!p || socketpair(AF_UNIX, SOCK_STREAM, 0, p->fd) != 0)
        return -1;
    struct timeval tv = {10, 0};
    setsockopt(p->fd[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(p->fd[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    pair *p = *state;
    close(p->fd[0]);
    close(p->fd[1]);
    free(p);
    return 0;
}

typedef struct received {
    int fd;
    int rc;
    char type;
    char *buf;
    size_t len;
} received;

static void *receive(void *arg)
{
    received *r = arg;
    r->rc = proto_recv(r->fd, &r->type, &r->buf, &r->len);
    return NULL;
}

/* Sends a result of len bytes of 'x' while a thread receives it. */
static received send_and_receive(pair *p, char status, size_t len)
{
    char *big = malloc(len ? len : 1);
    assert_non_null(big);
    memset(big, 'x', len);
    received r = {.fd = p->fd[1]};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, receive, &r), 0);
    assert_int_equal(proto_send_result(p->fd[0], status, big, len), 0);
    pthread_join(t, NULL);
    free(big);
    assert_int_equal(r.rc, 1);
    assert_int_equal(r.type, P_RESULT);
    return r;
}

static void test_small_result(void **state)
{
    received r = send_and_receive(*state, PS_SUCCESS, 5);
    assert_int_equal(r.len, 6);
    assert_memory_equal(r.buf, "0xxxxx", 6);
    free(r.buf);
}

/* The largest result a frame holds (status byte + PROTO_MAX_FRAME - 1). */
static void test_largest_result(void **state)
{
    received r = send_and_receive(*state, PS_SUCCESS, PROTO_MAX_FRAME - 1);
    assert_int_equal(r.len, PROTO_MAX_FRAME);
    assert_int_equal(r.buf[0], PS_SUCCESS);
    assert_int_equal(r.buf[r.len - 1], 'x');
    free(r.buf);
}

static void test_oversize_result_is_short_failure(void **state)
{
    received r = send_and_receive(*state, PS_SUCCESS, PROTO_MAX_FRAME);
    assert_true(r.len < 200);
    assert_int_equal(r.buf[0], PS_FAILURE);
    assert_non_null(strstr(r.buf, "Status: Failure\r\nError Msg: the result (67108864 bytes) is larger than a "
                                  "session can take (67108864 bytes)\r\n"));
    free(r.buf);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_small_result),
        T(test_largest_result),
        T(test_oversize_result_is_short_failure),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
