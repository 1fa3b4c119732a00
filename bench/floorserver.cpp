// confab-floor: the least a chat server can do for the benchmark's
// workloads, to measure what the machine itself costs.
//
// It speaks just enough of the protocol for confab-bench and the referee
// harness (hello -> welcome, join -> joined, say -> message to every member
// of the room, sender included) over plain TCP, with one epoll loop, one
// gathered send() per connection per pass and TCP_NODELAY — and nothing
// else: no storage, no validation, no limits, no JSON parser. Whatever CPU it
// needs for a workload is the floor under any server that delivers each
// message without delay; docs/performance.md compares Confab with it.
//
// Not a chat server: never expose it to anyone.

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace {

struct Client
{
    std::string input;
    std::string output;
    std::string nick;
    bool dirty = false;
};

struct Room
{
    std::vector<int> members;
    long long seq = 0;
};

std::unordered_map<int, Client> clients;
std::unordered_map<std::string, Room> rooms;
std::vector<int> dirtyClients;

// The string value of "key" in a flat JSON object, escapes left as they are.
std::string_view field(std::string_view line, std::string_view key)
{
    const std::string pattern = "\"" + std::string(key) + "\":\"";
    const size_t start = line.find(pattern);
    if (start == std::string_view::npos)
        return {};
    size_t end = start + pattern.size();
    while (end < line.size() && !(line[end] == '"' && line[end - 1] != '\\'))
        ++end;
    return line.substr(start + pattern.size(), end - start - pattern.size());
}

void queue(int fd, std::string_view bytes)
{
    Client &client = clients[fd];
    client.output.append(bytes);
    if (!client.dirty) {
        client.dirty = true;
        dirtyClients.push_back(fd);
    }
}

void handle(int fd, std::string_view line)
{
    const std::string_view type = field(line, "type");
    if (type == "hello") {
        clients[fd].nick = std::string(field(line, "nick"));
        queue(fd, "{\"type\":\"welcome\",\"nick\":\"" + clients[fd].nick + "\",\"server\":\"confab-floor\"}\n");
    } else if (type == "join") {
        const std::string name(field(line, "room"));
        rooms[name].members.push_back(fd);
        queue(fd, "{\"type\":\"joined\",\"room\":\"" + name + "\",\"topic\":\"\",\"members\":[],\"history\":[]}\n");
    } else if (type == "say") {
        const std::string name(field(line, "room"));
        Room &room = rooms[name];
        const std::string event = "{\"type\":\"message\",\"room\":\"" + name + "\",\"from\":\"" + clients[fd].nick
                                  + "\",\"text\":\"" + std::string(field(line, "text")) + "\",\"ts\":0,\"seq\":"
                                  + std::to_string(++room.seq) + "}\n";
        for (const int member : room.members)
            queue(member, event);
    } else if (type == "ping") {
        queue(fd, "{\"type\":\"pong\"}\n");
    }
}

void drop(int fd)
{
    for (auto &[name, room] : rooms) {
        auto &members = room.members;
        for (size_t i = 0; i < members.size(); ++i) {
            if (members[i] == fd) {
                members.erase(members.begin() + long(i));
                break;
            }
        }
    }
    clients.erase(fd);
    close(fd);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3 || std::strcmp(argv[1], "--help") == 0) {
        std::fprintf(stderr, "usage: confab-floor PORT [PASS_GAP_US]\n"
                             "  plain TCP on 127.0.0.1 (PORT 0: any free port); see the top of floorserver.cpp.\n"
                             "  PASS_GAP_US: sleep this long before each wait, so that a pass gathers more\n"
                             "  messages per connection (latency traded for fewer sends).\n");
        return argc == 2 ? 0 : 2;
    }
    const long passGapUs = argc == 3 ? std::atol(argv[2]) : 0;
    std::signal(SIGPIPE, SIG_IGN);
    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int on = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(std::atoi(argv[1])));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 || listen(listener, 4096) != 0) {
        std::fprintf(stderr, "confab-floor: cannot listen on port %s: %s\n", argv[1], std::strerror(errno));
        return 1;
    }
    const int epoll = epoll_create1(EPOLL_CLOEXEC);
    epoll_event interest{};
    interest.events = EPOLLIN;
    interest.data.fd = listener;
    epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &interest);
    socklen_t length = sizeof address;
    getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length);
    std::fprintf(stderr, "confab-floor: listening on 127.0.0.1:%d\n", ntohs(address.sin_port));

    static char buffer[64 * 1024];
    epoll_event events[512];
    for (;;) {
        if (passGapUs > 0)
            usleep(useconds_t(passGapUs));
        const int ready = epoll_wait(epoll, events, 512, -1);
        for (int i = 0; i < ready; ++i) {
            const int fd = events[i].data.fd;
            if (fd == listener) {
                int accepted;
                while ((accepted = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    setsockopt(accepted, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
                    clients[accepted];
                    epoll_event added{};
                    added.events = EPOLLIN;
                    added.data.fd = accepted;
                    epoll_ctl(epoll, EPOLL_CTL_ADD, accepted, &added);
                }
                continue;
            }
            const ssize_t got = recv(fd, buffer, sizeof buffer, 0);
            if (got <= 0) {
                if (got == 0 || (errno != EAGAIN && errno != EINTR))
                    drop(fd);
                continue;
            }
            std::string &input = clients[fd].input;
            input.append(buffer, size_t(got));
            size_t start = 0;
            for (size_t newline; (newline = input.find('\n', start)) != std::string::npos; start = newline + 1)
                handle(fd, std::string_view(input).substr(start, newline - start));
            input.erase(0, start);
        }
        for (const int fd : dirtyClients) {
            const auto it = clients.find(fd);
            if (it == clients.end())
                continue;
            it->second.dirty = false;
            // A reader that falls behind loses output: fine for a yardstick.
            [[maybe_unused]] const ssize_t sent =
                    send(fd, it->second.output.data(), it->second.output.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
            it->second.output.clear();
        }
        dirtyClients.clear();
    }
}
