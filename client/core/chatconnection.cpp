#include "chatconnection.h"

#include "framelog.h"

#include <QCryptographicHash>
#include <QSslCertificate>
#include <QSslSocket>
#include <QWebSocket>

using namespace Qt::StringLiterals;
using Confab::Protocol::LineFramer;

namespace {

QString fingerprintOf(const QSslCertificate &certificate)
{
    return QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex());
}

QString subjectOf(const QSslCertificate &certificate)
{
    const QStringList names = certificate.subjectInfo(QSslCertificate::CommonName);
    return names.isEmpty() ? certificate.subjectDisplayName() : names.join(u", "_s);
}

} // namespace

ChatConnection::ChatConnection(QObject *parent)
    : FrameTransport(parent)
    // Every line the server may send fits (its pages are cut to a size in
    // bytes): one too long means a broken stream, not a large page.
    , m_framer(Confab::Protocol::Defaults::MaxServerLineBytes)
{
}

ChatConnection::~ChatConnection() = default;

QString ChatConnection::formatFingerprint(const QString &hex)
{
    QStringList pairs;
    for (qsizetype i = 0; i + 1 < hex.size(); i += 2)
        pairs << hex.mid(i, 2).toUpper();
    return pairs.join(u':');
}

void ChatConnection::open(const ServerAddress &address)
{
    close();
    m_address = address;
    m_failure.clear();
    m_framer = LineFramer(Confab::Protocol::Defaults::MaxServerLineBytes);
    m_active = true;
    if (address.transport == ServerAddress::Transport::WebSocket)
        setUpWebSocket();
    else
        setUpTcp();
}

void ChatConnection::setUpTcp()
{
    m_tcp = new QSslSocket(this);
    m_tcp->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(m_tcp, &QSslSocket::readyRead, this, &ChatConnection::readTcp);
    connect(m_tcp, &QSslSocket::disconnected, this, [this] { finish(u"the server closed the connection"_s); });
    connect(m_tcp, &QSslSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error == QAbstractSocket::RemoteHostClosedError && m_open)
            return; // disconnected() follows
        finish(m_failure.isEmpty() ? m_tcp->errorString() : m_failure);
    });
    if (m_address.tls) {
        connect(m_tcp, &QSslSocket::encrypted, this, [this] {
            m_open = true;
            emit opened();
        });
        connect(m_tcp, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            handleSslErrors(errors, m_tcp->peerCertificate());
        });
        m_tcp->connectToHostEncrypted(m_address.host, m_address.port);
    } else {
        connect(m_tcp, &QSslSocket::connected, this, [this] {
            m_open = true;
            emit opened();
        });
        m_tcp->connectToHost(m_address.host, m_address.port);
    }
}

void ChatConnection::setUpWebSocket()
{
    m_ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    connect(m_ws, &QWebSocket::connected, this, [this] {
        m_open = true;
        emit opened();
    });
    connect(m_ws, &QWebSocket::disconnected, this, [this] {
        finish(m_failure.isEmpty() ? (m_open ? u"the server closed the connection"_s : m_ws->errorString())
                                   : m_failure);
    });
    connect(m_ws, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        const QByteArray frame = text.toUtf8();
        if (Q_UNLIKELY(m_inspector))
            m_inspector->record(FrameLog::Direction::Received, transportName(), frame);
        emit frameReceived(frame);
    });
    connect(m_ws, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        handleSslErrors(errors, errors.isEmpty() ? QSslCertificate() : errors.first().certificate());
    });
    const QString scheme = m_address.tls ? u"wss"_s : u"ws"_s;
    m_ws->open(QUrl(u"%1://%2%3"_s.arg(scheme, m_address.hostAndPort(), m_address.path)));
}

void ChatConnection::handleSslErrors(const QList<QSslError> &errors, const QSslCertificate &certificate)
{
    const QString fingerprint = fingerprintOf(certificate);
    if (!certificate.isNull() && m_trusted.contains(fingerprint)) {
        if (m_tcp)
            m_tcp->ignoreSslErrors();
        else
            m_ws->ignoreSslErrors();
        return;
    }
    QStringList problems;
    for (const QSslError &error : errors)
        problems << error.errorString();
    // Closed quietly: the owner hears untrustedCertificate instead of closed.
    close();
    emit untrustedCertificate(fingerprint, subjectOf(certificate), problems.join(u"; "_s));
}

void ChatConnection::readTcp()
{
    m_framer.append(m_tcp->readAll());
    QByteArray frame;
    LineFramer::Status status;
    while ((status = m_framer.next(&frame)) == LineFramer::Status::Frame) {
        if (Q_UNLIKELY(m_inspector))
            m_inspector->record(FrameLog::Direction::Received, transportName(), frame + '\n');
        emit frameReceived(frame);
        if (!m_tcp)
            return; // closed by a receiver
    }
    if (status == LineFramer::Status::TooLarge) {
        m_failure = u"the server sent a line too long to be a message"_s;
        m_tcp->abort();
    }
}

void ChatConnection::send(const QByteArray &frame)
{
    if (!m_open)
        return;
    if (m_tcp) {
        const QByteArray line = frame + '\n';
        if (Q_UNLIKELY(m_inspector))
            m_inspector->record(FrameLog::Direction::Sent, transportName(), line);
        m_tcp->write(line);
    } else if (m_ws) {
        if (Q_UNLIKELY(m_inspector))
            m_inspector->record(FrameLog::Direction::Sent, transportName(), frame);
        m_ws->sendTextMessage(QString::fromUtf8(frame));
    }
}

QString ChatConnection::transportName() const
{
    if (m_address.transport == ServerAddress::Transport::WebSocket)
        return m_address.tls ? u"wss"_s : u"ws"_s;
    return m_address.tls ? u"tls"_s : u"tcp"_s;
}

void ChatConnection::close()
{
    m_active = false;
    m_open = false;
    if (m_tcp) {
        m_tcp->disconnect(this);
        // The last words (quit, the read marker) go out even when the
        // program ends right after: briefly, and only if there are any.
        if (m_tcp->state() == QAbstractSocket::ConnectedState && m_tcp->bytesToWrite() > 0)
            m_tcp->waitForBytesWritten(1000);
        m_tcp->disconnectFromHost();
        m_tcp->deleteLater();
        m_tcp = nullptr;
    }
    if (m_ws) {
        m_ws->disconnect(this);
        m_ws->close();
        m_ws->deleteLater();
        m_ws = nullptr;
    }
}

void ChatConnection::finish(const QString &reason)
{
    if (!m_active)
        return;
    close();
    emit closed(reason);
}
