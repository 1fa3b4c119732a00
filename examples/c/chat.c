/* A Confab chat client in C, POSIX sockets only: cc -o chat chat.c && ./chat HOST PORT NICK ROOM
 * Type a line to say it in ROOM; "/msg NICK TEXT" whispers; Ctrl+D quits. Frames are JSON objects,
 * one per line (docs/protocol.md); what arrives is printed as it is, after "< ". */
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int sock;
/* Writes `text` as a JSON string (quotes, backslashes and controls escaped). */
static void put_string(FILE *out, const char *text)
{
    fputc('"', out); /* then every byte, escaped where JSON needs it */
    for (const unsigned char *c = (const unsigned char *)text; *c; ++c) {
        if (*c == '"' || *c == '\\')
            fprintf(out, "\\%c", *c);
        else if (*c < 0x20)
            fprintf(out, "\\u%04x", *c);
        else
            fputc(*c, out);
    }
    fputc('"', out);
}
static void send_frame(const char *type, const char *key, const char *target, const char *text)
{
    char frame[8192];
    FILE *out = fmemopen(frame, sizeof frame, "w");
    fprintf(out, "{\"type\":\"%s\"", type);
    if (key)
        fprintf(out, ",\"%s\":", key), put_string(out, target);
    if (text)
        fputs(",\"text\":", out), put_string(out, text);
    fputs("}\n", out);
    long length = ftell(out);
    fclose(out);
    send(sock, frame, (size_t)length, MSG_NOSIGNAL);
}
int main(int argc, char *argv[])
{
    if (argc != 5)
        return fprintf(stderr, "usage: %s HOST PORT NICK ROOM\n", argv[0]), 1;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *address;
    if (getaddrinfo(argv[1], argv[2], &hints, &address) != 0)
        return fprintf(stderr, "cannot resolve %s\n", argv[1]), 1;
    sock = socket(address->ai_family, SOCK_STREAM, 0);
    if (connect(sock, address->ai_addr, address->ai_addrlen) != 0)
        return perror("connect"), 1;
    freeaddrinfo(address);
    const char *room = argv[4];
    send_frame("hello", "nick", argv[3], NULL);
    send_frame("join", "room", room, NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);

    char in[65536], typed[8192];
    size_t buffered = 0, typedLength = 0;
    struct pollfd fds[2] = {{.fd = 0, .events = POLLIN}, {.fd = sock, .events = POLLIN}};
    for (;;) {
        if (poll(fds, 2, -1) < 0)
            return perror("poll"), 1;
        if (fds[0].revents) { /* read(), not stdio: poll() sees the descriptor, not stdio's buffer */
            ssize_t got = read(0, typed + typedLength, sizeof typed - typedLength - 1);
            if (got <= 0) { /* end of input: leave politely, and show what is still coming */
                send_frame("quit", NULL, NULL, NULL), fds[0].fd = -1;
                continue;
            }
            typedLength += (size_t)got;
            char *line = typed, *end;
            while ((end = memchr(line, '\n', typedLength - (size_t)(line - typed)))) {
                *end = '\0';
                char *space = strncmp(line, "/msg ", 5) == 0 ? strchr(line + 5, ' ') : NULL;
                if (space)
                    *space = '\0', send_frame("whisper", "to", line + 5, space + 1);
                else if (*line)
                    send_frame("say", "room", room, line);
                line = end + 1;
            }
            typedLength -= (size_t)(line - typed);
            memmove(typed, line, typedLength);
        }
        if (fds[1].revents) {
            ssize_t got = recv(sock, in + buffered, sizeof in - buffered - 1, 0);
            if (got <= 0)
                return puts("* the server closed the connection"), 0;
            buffered += (size_t)got;
            char *start = in, *end; /* TCP is a stream: print whole lines only */
            while ((end = memchr(start, '\n', buffered - (size_t)(start - in)))) {
                *end = '\0';
                printf("< %s\n", start);
                if (strstr(start, "\"type\":\"ping\""))
                    send_frame("pong", NULL, NULL, NULL);
                start = end + 1;
            }
            buffered -= (size_t)(start - in);
            memmove(in, start, buffered);
        }
    } /* the loop ends when the server closes the connection, after quit */
}
