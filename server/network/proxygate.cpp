#include "proxygate.h"

#include "metrics.h"

#include <QSocketNotifier>

#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// A header that has not all arrived: look again shortly rather than spin on
// bytes that stay readable (they are only peeked at).
constexpr int RetryMs = 10;
// The v2 signature is 12 bytes: enough to tell a header from anything else.
constexpr qsizetype EnoughToTell = 12;

} // namespace

ProxyGate::ProxyGate(qintptr descriptor, const PeerAddress &peer, bool trusted, int timeoutMs, Pass pass,
                     Refuse refuse, QObject *parent)
    : QObject(parent)
    , m_fd(int(descriptor))
    , m_peer(peer)
    , m_trusted(trusted)
    , m_pass(std::move(pass))
    , m_refuse(std::move(refuse))
    , m_notifier(new QSocketNotifier(m_fd, QSocketNotifier::Read, this))
{
    connect(m_notifier, &QSocketNotifier::activated, this, &ProxyGate::readable);
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        if (m_local) {
            letGo();
            return;
        }
        this->refuse(m_trusted ? QStringLiteral("no PROXY header in time") : QStringLiteral("nothing said in time"));
    });
    m_timeout.start(timeoutMs);
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        m_notifier->setEnabled(true);
        readable();
    });
}

ProxyGate::~ProxyGate()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void ProxyGate::readable()
{
    char bytes[ProxyHeader::MaxLength];
    const ssize_t got = ::recv(m_fd, bytes, sizeof bytes, MSG_PEEK);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (got <= 0) {
        if (m_local)
            letGo();
        else
            refuse(QStringLiteral("closed before saying anything"));
        return;
    }
    if (m_local) {
        passOn(m_localClient); // the proxy's own connection, that says something
        return;
    }
    const QByteArrayView seen(bytes, got);
    if (!m_trusted) {
        if (!ProxyHeader::looksLikeHeader(seen)) {
            passOn(std::nullopt);
            return;
        }
        if (got >= EnoughToTell || seen.size() >= 6) {
            // Only a trusted proxy may say whose connection it is.
            refuse(QStringLiteral("a PROXY header from an address not in --proxy-protocol"));
            return;
        }
    } else {
        const ProxyHeader header = ProxyHeader::parse(seen);
        if (header.status == ProxyHeader::Status::Invalid) {
            refuse(header.error);
            return;
        }
        if (header.status == ProxyHeader::Status::Complete) {
            // Exactly the header: what follows is the client's.
            qsizetype consumed = 0;
            while (consumed < header.length) {
                const ssize_t taken = ::recv(m_fd, bytes, size_t(header.length - consumed), 0);
                if (taken < 0 && errno == EINTR)
                    continue;
                if (taken <= 0) {
                    refuse(QStringLiteral("closed in the middle of its PROXY header"));
                    return;
                }
                consumed += taken;
            }
            if (!header.source || header.source->isEqual(m_peer.address, QHostAddress::TolerantConversion)) {
                // Whether it is a health check shows in what follows.
                m_local = true;
                if (header.source)
                    m_localClient = PeerAddress{*header.source, header.sourcePort};
                return;
            }
            passOn(PeerAddress{*header.source, header.sourcePort});
            return;
        }
    }
    m_notifier->setEnabled(false);
    m_retry.start(RetryMs);
}

void ProxyGate::passOn(const std::optional<PeerAddress> &client)
{
    // Nothing of ours may watch the descriptor once it is handed on.
    delete m_notifier;
    m_notifier = nullptr;
    m_timeout.stop();
    m_retry.stop();
    const int fd = std::exchange(m_fd, -1);
    m_pass(this, fd, client);
    deleteLater();
}

void ProxyGate::letGo()
{
    ++serverMetrics().healthChecks;
    delete m_notifier;
    m_notifier = nullptr;
    m_timeout.stop();
    m_retry.stop();
    ::close(std::exchange(m_fd, -1));
    deleteLater();
}

void ProxyGate::refuse(const QString &why)
{
    delete m_notifier;
    m_notifier = nullptr;
    m_timeout.stop();
    m_retry.stop();
    m_refuse(m_peer, why);
    ::close(std::exchange(m_fd, -1));
    deleteLater();
}
