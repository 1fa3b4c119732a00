#include "connectionsupervisor.h"

#include <QLoggingCategory>
#include <QRandomGenerator>

Q_LOGGING_CATEGORY(lcConnection, "confab.client.connection", QtInfoMsg)

using Confab::Protocol::ErrorCode;
using namespace Qt::StringLiterals;

ConnectionSupervisor::LoginFailure ConnectionSupervisor::loginFailureFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::AuthFailed:
        return LoginFailure::ServerPassword;
    case ErrorCode::NickInvalid:
        return LoginFailure::NickInvalid;
    case ErrorCode::NickTaken:
        return LoginFailure::NickTaken;
    case ErrorCode::NickReserved:
        return LoginFailure::NickReserved;
    case ErrorCode::LoginFailed:
        return LoginFailure::AccountLogin;
    case ErrorCode::LoginRequired:
        return LoginFailure::LoginRequired;
    case ErrorCode::PasswordInvalid:
        return LoginFailure::AccountPassword;
    case ErrorCode::RateLimited:
        return LoginFailure::RateLimited;
    case ErrorCode::Banned:
        return LoginFailure::Banned;
    case ErrorCode::ServerFull:
        return LoginFailure::ServerFull;
    default:
        return LoginFailure::Other;
    }
}

ConnectionSupervisor::ConnectionSupervisor(FrameTransport *transport, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
{
    m_transport->setParent(this);
    connect(m_transport, &FrameTransport::opened, this, &ConnectionSupervisor::opened);
    connect(m_transport, &FrameTransport::closed, this, &ConnectionSupervisor::onClosed);
    connect(m_transport, &FrameTransport::untrustedCertificate, this, [this] {
        // Retrying cannot help; only the user can decide.
        stop();
        emit lost(u"the server's certificate is not trusted"_s);
    });
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &ConnectionSupervisor::connectNow);
    m_pingTimer.setInterval(15'000);
    connect(&m_pingTimer, &QTimer::timeout, this, [this] {
        if (m_welcomed)
            emit pingDue();
    });
}

void ConnectionSupervisor::setReconnectDelays(int firstMs, int maxMs)
{
    m_firstDelayMs = firstMs;
    m_maxDelayMs = maxMs;
}

void ConnectionSupervisor::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void ConnectionSupervisor::start(const ServerAddress &address)
{
    m_address = address;
    m_servers = address.servers();
    m_current = 0;
    m_everWelcomed = false;
    m_attempt = 0;
    connectNow();
}

void ConnectionSupervisor::connectNow()
{
    m_reconnectTimer.stop();
    m_pingTimer.stop();
    m_welcomed = false;
    m_closingReason.clear();
    setState(m_everWelcomed ? State::Reconnecting : State::Connecting);
    qCInfo(lcConnection).noquote() << "connecting to" << server().toString();
    m_transport->open(server());
}

void ConnectionSupervisor::welcomed()
{
    m_welcomed = true;
    m_everWelcomed = true;
    m_attempt = 0;
    setState(State::Online);
    m_pingTimer.start();
    emit pingDue();
}

void ConnectionSupervisor::refused(ErrorCode code, const QString &message, bool retry)
{
    m_transport->close();
    m_welcomed = false;
    m_pingTimer.stop();
    if (m_everWelcomed && retry) {
        retryLater(message);
        return;
    }
    setState(State::Disconnected);
    if (!m_everWelcomed)
        emit loginFailed(loginFailureFor(code), message);
}

void ConnectionSupervisor::stop()
{
    m_reconnectTimer.stop();
    m_pingTimer.stop();
    m_transport->close();
    m_welcomed = false;
    setState(State::Disconnected);
}

void ConnectionSupervisor::onClosed(const QString &reason)
{
    m_pingTimer.stop();
    m_welcomed = false;
    const QString why = m_closingReason.isEmpty() ? reason : m_closingReason;
    emit lost(why);
    if (!m_everWelcomed) {
        if (m_current + 1 < m_servers.size()) {
            // The cluster's next server, at once.
            qCInfo(lcConnection).noquote() << "cannot connect to" << server().toString() << "(" << why
                                           << "), trying the next server";
            ++m_current;
            connectNow();
            return;
        }
        setState(State::Disconnected);
        emit loginFailed(LoginFailure::Unreachable, u"Cannot connect to %1: %2"_s.arg(m_address.toString(), why));
        return;
    }
    retryLater(why);
}

void ConnectionSupervisor::retryLater(const QString &reason)
{
    // The server that failed is the least likely to answer next: the next
    // one of a cluster is tried, and the delay doubles only once all were.
    const qsizetype servers = qMax<qsizetype>(1, m_servers.size());
    m_current = (m_current + 1) % servers;
    const int exponent = int(qMin<qsizetype>(m_attempt / servers, 16));
    const double base = qMin<double>(m_maxDelayMs, double(m_firstDelayMs) * double(1 << exponent));
    const double jitter = 0.5 + QRandomGenerator::global()->generateDouble();
    const int delay = int(qMin<double>(m_maxDelayMs, base * jitter));
    ++m_attempt;
    qCInfo(lcConnection).noquote() << "connection lost (" << reason << "), trying" << server().toString() << "in"
                                   << delay << "ms";
    setState(State::Reconnecting);
    m_reconnectTimer.start(delay);
}

void ConnectionSupervisor::pingSent(qint64 id)
{
    m_pingId = id;
    m_pingClock.start();
}

void ConnectionSupervisor::pongReceived(qint64 id)
{
    if (id != m_pingId || !m_pingClock.isValid())
        return;
    m_roundTripMs = int(m_pingClock.elapsed());
    emit roundTripChanged(m_roundTripMs);
}
