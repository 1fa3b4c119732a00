// confab-bench: the three workloads of Confab's performance figures, against
// any Confab server, over TCP or WebSocket. Prints one line of key=value
// results; see docs/performance.md.

#include "histogram.h"
#include "wireclient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <random>
#include <sys/epoll.h>
#include <unistd.h>

namespace {

int64_t nowNs()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return int64_t(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

struct Options
{
    std::string workload;
    std::string host = "127.0.0.1";
    // Several ports: a cluster's servers, each peer on the next one in turn.
    std::vector<uint16_t> ports{7700};
    WireClient::Transport transport = WireClient::Transport::Tcp;
    std::string path = "/ws";
    int receivers = 1000, window = 100, rooms = 100, members = 10, conns = 5000, concurrency = 100;
    double rate = 2, warmup = 2, duration = 10;
    int msgBytes = 64;
    long serverPid = 0;
};

// The type of a server frame; the server writes it first, but any order is read.
std::string_view typeOf(std::string_view frame)
{
    constexpr std::string_view key = "\"type\":\"";
    const size_t at = frame.find(key);
    if (at == std::string_view::npos)
        return {};
    const size_t start = at + key.size();
    return frame.substr(start, frame.find('"', start) - start);
}

// The send time and sender a bench message carries: "~T<ns>_<sender>_<seq>~".
bool markerOf(std::string_view frame, int64_t *sentNs, long *sender, long *seq)
{
    const size_t at = frame.find("~T");
    if (at == std::string_view::npos)
        return false;
    return std::sscanf(std::string(frame.substr(at, 64)).c_str(), "~T%ld_%ld_%ld~", sentNs, sender, seq) == 3;
}

double residentMb(long pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (pid <= 0 || !status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return 0;
}

class Bench
{
public:
    explicit Bench(Options options)
        : m_options(std::move(options))
        , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    {
    }
    ~Bench() { ::close(m_epoll); }

    int run();

private:
    struct Peer
    {
        std::unique_ptr<WireClient> wire;
        int index = 0;
        std::string room;
        bool welcomed = false;
        bool joined = false;
        int64_t startedNs = 0;
        int64_t nextSendNs = 0;
        long seq = 0;
    };

    Peer &open(int index, const std::string &room);
    void pump(int timeoutMs);
    void onFrame(Peer &peer, std::string_view frame);
    void say(Peer &peer, long seq);
    bool setUp(size_t count);
    int fanout();
    int rooms();
    int connect();

    Options m_options;
    int m_epoll;
    std::vector<std::unique_ptr<Peer>> m_peers;
    size_t m_ready = 0;
    size_t m_failed = 0;
    long m_errors = 0;
    bool m_measuring = false;
    int64_t m_measureStart = 0;
    int64_t m_measureEnd = 0;
    long m_deliveries = 0;
    Histogram m_latency;
    Histogram m_loginLatency;
    std::map<long, int> m_outstanding; // fanout: seq -> receivers still to get it
    std::map<long, int64_t> m_sentAt;
};

Bench::Peer &Bench::open(int index, const std::string &room)
{
    auto peer = std::make_unique<Peer>();
    peer->index = index;
    peer->room = room;
    peer->wire = std::make_unique<WireClient>(m_options.transport, m_options.host, m_options.path);
    peer->startedNs = nowNs();
    const uint16_t port = m_options.ports[size_t(index) % m_options.ports.size()];
    if (!peer->wire->connectTo(m_options.host, port)) {
        ++m_failed;
    } else {
        epoll_event event{};
        event.events = EPOLLIN | EPOLLOUT | EPOLLET;
        event.data.u64 = uint64_t(m_peers.size());
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, peer->wire->fd(), &event);
    }
    m_peers.push_back(std::move(peer));
    return *m_peers.back();
}

void Bench::pump(int timeoutMs)
{
    epoll_event events[256];
    const int ready = epoll_wait(m_epoll, events, 256, timeoutMs);
    for (int i = 0; i < ready; ++i) {
        Peer &peer = *m_peers[events[i].data.u64];
        WireClient &wire = *peer.wire;
        const bool wasReady = wire.isReady();
        if (events[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            wire.flush();
        if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
            wire.read([&](std::string_view frame) { onFrame(peer, frame); });
        if (!wasReady && wire.isReady()) {
            char hello[96];
            std::snprintf(hello, sizeof hello, R"({"type":"hello","nick":"b%ldn%d"})", long(getpid() % 100000),
                          peer.index);
            wire.send(hello);
            wire.flush();
        }
        if (!wire.isOpen() && !peer.joined)
            ++m_failed;
    }
}

void Bench::say(Peer &peer, long seq)
{
    char marker[80];
    const int length = std::snprintf(marker, sizeof marker, "~T%ld_%d_%ld~", long(nowNs()), peer.index, seq);
    std::string text(marker, size_t(length));
    if (int(text.size()) < m_options.msgBytes)
        text.append(size_t(m_options.msgBytes) - text.size(), 'x');
    peer.wire->send(R"({"type":"say","room":")" + peer.room + R"(","text":")" + text + "\"}");
    peer.wire->flush();
}

void Bench::onFrame(Peer &peer, std::string_view frame)
{
    const std::string_view type = typeOf(frame);
    if (type == "message") {
        int64_t sent = 0;
        long sender = -1;
        long seq = 0;
        if (!markerOf(frame, &sent, &sender, &seq) || sender == peer.index)
            return; // the sender's own echo is not a delivery
        const int64_t now = nowNs();
        if (m_measuring && now >= m_measureStart && now < m_measureEnd) {
            ++m_deliveries;
            m_latency.add((now - sent) / 1000);
        }
        const auto it = m_outstanding.find(seq);
        if (it != m_outstanding.end() && --it->second == 0) {
            m_outstanding.erase(it);
            m_sentAt.erase(seq);
        }
    } else if (type == "welcome") {
        peer.welcomed = true;
        if (m_options.workload == "connect") {
            peer.joined = true;
            ++m_ready;
            m_loginLatency.add((nowNs() - peer.startedNs) / 1000);
            return;
        }
        peer.wire->send(R"({"type":"join","room":")" + peer.room + "\"}");
        peer.wire->flush();
    } else if (type == "joined") {
        if (!peer.joined) {
            peer.joined = true;
            ++m_ready;
        }
    } else if (type == "error") {
        ++m_errors;
    } else if (type == "ping") {
        peer.wire->send(R"({"type":"pong"})");
        peer.wire->flush();
    }
}

// Opens `count` connections (m_options.concurrency in flight at once) and
// waits until all are in their rooms.
bool Bench::setUp(size_t count)
{
    const int64_t deadline = nowNs() + 60'000'000'000;
    size_t opened = 0;
    while (m_ready + m_failed < count && nowNs() < deadline) {
        while (opened < count && opened - m_ready - m_failed < size_t(m_options.concurrency)) {
            const int index = int(opened++);
            const std::string room = m_options.workload == "rooms"
                                             ? "benchroom" + std::to_string(index / m_options.members)
                                             : "benchfanout";
            open(index, room);
        }
        pump(10);
    }
    return m_ready == count;
}

int Bench::fanout()
{
    const size_t total = size_t(m_options.receivers) + 1;
    if (!setUp(total))
        return 1;
    Peer &sender = *m_peers.front();
    const int receivers = m_options.receivers;
    const int64_t start = nowNs();
    m_measureStart = start + int64_t(m_options.warmup * 1e9);
    m_measureEnd = m_measureStart + int64_t(m_options.duration * 1e9);
    m_measuring = true;
    long seq = 0;
    long lost = 0;
    while (nowNs() < m_measureEnd) {
        // A message missing for 2 s is written off, so a run never hangs.
        const int64_t now = nowNs();
        for (auto it = m_sentAt.begin(); it != m_sentAt.end();) {
            if (now - it->second > 2'000'000'000) {
                m_outstanding.erase(it->first);
                it = m_sentAt.erase(it);
                ++lost;
            } else {
                ++it;
            }
        }
        while (int(m_outstanding.size()) < m_options.window) {
            ++seq;
            m_outstanding[seq] = receivers;
            m_sentAt[seq] = nowNs();
            say(sender, seq);
        }
        pump(5);
    }
    const double seconds = m_options.duration;
    std::printf("workload=fanout transport=%s receivers=%d window=%d deliveries_per_s=%.0f p50_ms=%.3f p99_ms=%.3f "
                "max_ms=%.3f lost=%ld errors=%ld server_rss_mb=%.1f\n",
                m_options.transport == WireClient::Transport::Tcp ? "tcp" : "ws", receivers, m_options.window,
                double(m_deliveries) / seconds, m_latency.percentileMs(0.5), m_latency.percentileMs(0.99),
                m_latency.percentileMs(1.0), lost, m_errors, residentMb(m_options.serverPid));
    return 0;
}

int Bench::rooms()
{
    const size_t total = size_t(m_options.rooms) * size_t(m_options.members);
    if (!setUp(total))
        return 1;
    std::mt19937_64 random(42);
    const int64_t period = int64_t(1e9 / m_options.rate);
    const int64_t start = nowNs();
    for (auto &peer : m_peers)
        peer->nextSendNs = start + int64_t(random() % uint64_t(period));
    m_measureStart = start + int64_t(m_options.warmup * 1e9);
    m_measureEnd = m_measureStart + int64_t(m_options.duration * 1e9);
    m_measuring = true;
    while (nowNs() < m_measureEnd) {
        const int64_t now = nowNs();
        for (auto &peer : m_peers) {
            // A fixed schedule: a late send does not shift the ones after it.
            while (peer->nextSendNs <= now) {
                say(*peer, ++peer->seq);
                peer->nextSendNs += period;
            }
        }
        pump(1);
    }
    const double offered = m_options.rate * double(total) * double(m_options.members - 1);
    std::printf("workload=rooms transport=%s rooms=%d members=%d rate=%.1f offered_per_s=%.0f deliveries_per_s=%.0f "
                "p50_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%ld server_rss_mb=%.1f\n",
                m_options.transport == WireClient::Transport::Tcp ? "tcp" : "ws", m_options.rooms,
                m_options.members, m_options.rate, offered, double(m_deliveries) / m_options.duration,
                m_latency.percentileMs(0.5), m_latency.percentileMs(0.99), m_latency.percentileMs(1.0), m_errors,
                residentMb(m_options.serverPid));
    return 0;
}

int Bench::connect()
{
    const double before = residentMb(m_options.serverPid);
    const int64_t start = nowNs();
    const bool ok = setUp(size_t(m_options.conns));
    const double seconds = double(nowNs() - start) / 1e9;
    const double after = residentMb(m_options.serverPid);
    std::printf("workload=connect transport=%s conns=%d logged_in=%zu failures=%zu logins_per_s=%.0f "
                "login_p50_ms=%.2f login_p99_ms=%.2f rss_before_mb=%.1f rss_after_mb=%.1f kb_per_conn=%.2f\n",
                m_options.transport == WireClient::Transport::Tcp ? "tcp" : "ws", m_options.conns, m_ready, m_failed,
                double(m_ready) / seconds, m_loginLatency.percentileMs(0.5), m_loginLatency.percentileMs(0.99),
                before, after, m_ready > 0 ? (after - before) * 1024.0 / double(m_ready) : 0.0);
    return ok ? 0 : 1;
}

int Bench::run()
{
    if (m_options.workload == "fanout")
        return fanout();
    if (m_options.workload == "rooms")
        return rooms();
    return connect();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("confab-bench"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONFAB_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
            "Load generator for a Confab server. WORKLOAD is fanout (one sender, many receivers in one room), "
            "rooms (many rooms, everyone talking at a fixed rate) or connect (many logins)."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("workload"), QStringLiteral("fanout | rooms | connect"));
    const auto value = [&](const char *name, const char *description, const char *defaultValue) {
        QCommandLineOption option(QString::fromLatin1(name), QString::fromLatin1(description), QStringLiteral("n"),
                                  QString::fromLatin1(defaultValue));
        parser.addOption(option);
        return option;
    };
    const auto host = value("host", "Server address (IPv4).", "127.0.0.1");
    const auto port = value("port",
                            "TCP port, or the HTTP port with --ws; several, comma-separated, spread the clients over "
                            "a cluster's servers in turn.",
                            "7700");
    const QCommandLineOption ws(QStringLiteral("ws"), QStringLiteral("Use WebSocket (/ws on the HTTP port)."));
    parser.addOption(ws);
    const auto receivers = value("receivers", "fanout: receivers in the room.", "1000");
    const auto window = value("window", "fanout: messages in flight.", "100");
    const auto rooms = value("rooms", "rooms: number of rooms.", "100");
    const auto members = value("members", "rooms: members per room.", "10");
    const auto rate = value("rate", "rooms: messages per second per member.", "2");
    const auto conns = value("conns", "connect: connections to log in.", "5000");
    const auto concurrency = value("concurrency", "Logins in flight at once.", "100");
    const auto warmup = value("warmup", "Seconds before measuring.", "2");
    const auto duration = value("duration", "Seconds measured.", "10");
    const auto msgBytes = value("msg-bytes", "Length of each message text.", "64");
    const auto serverPid = value("server-pid", "Server process, to report its memory (same machine).", "0");
    parser.process(app);

    Options options;
    options.workload = parser.positionalArguments().value(0).toStdString();
    if (options.workload != "fanout" && options.workload != "rooms" && options.workload != "connect") {
        std::fprintf(stderr, "confab-bench: give a workload: fanout, rooms or connect\n");
        return 2;
    }
    options.host = parser.value(host).toStdString();
    options.ports.clear();
    for (const QString &text : parser.value(port).split(u',', Qt::SkipEmptyParts)) {
        const uint number = text.trimmed().toUInt();
        options.ports.push_back(number > 0 && number <= 65535 ? uint16_t(number) : 0);
    }
    if (parser.isSet(ws))
        options.transport = WireClient::Transport::WebSocket;
    options.receivers = parser.value(receivers).toInt();
    options.window = parser.value(window).toInt();
    options.rooms = parser.value(rooms).toInt();
    options.members = parser.value(members).toInt();
    options.rate = parser.value(rate).toDouble();
    options.conns = parser.value(conns).toInt();
    options.concurrency = qMax(1, parser.value(concurrency).toInt());
    options.warmup = parser.value(warmup).toDouble();
    options.duration = qMax(0.1, parser.value(duration).toDouble());
    options.msgBytes = parser.value(msgBytes).toInt();
    options.serverPid = parser.value(serverPid).toLong();
    const bool portsOk = !options.ports.empty()
                         && std::find(options.ports.begin(), options.ports.end(), 0) == options.ports.end();
    if (!portsOk || options.receivers < 1 || options.window < 1 || options.rooms < 1 || options.members < 2
        || options.rate <= 0 || options.conns < 1) {
        std::fprintf(stderr, "confab-bench: an option is out of range (see --help)\n");
        return 2;
    }
    Bench bench(options);
    const int result = bench.run();
    if (result != 0)
        std::fprintf(stderr, "confab-bench: not every connection could log in and join\n");
    return result;
}
