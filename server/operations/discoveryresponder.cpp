#include "discoveryresponder.h"

#include "connectionlimiter.h"
#include "defaults.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkDatagram>

namespace {

constexpr qint64 AnswerIntervalMs = 1000;
// Sources remembered at most, before the old ones are forgotten.
constexpr qsizetype RememberedSources = 4096;

} // namespace

DiscoveryResponder::DiscoveryResponder(Announcement announcement, Counts counts, QObject *parent)
    : QObject(parent)
    , m_announcement(std::move(announcement))
    , m_counts(std::move(counts))
{
    m_clock.start();
    connect(&m_socket, &QUdpSocket::readyRead, this, &DiscoveryResponder::readPending);
}

bool DiscoveryResponder::listen(const QHostAddress &address, quint16 port, QString *error)
{
    // Several servers on one machine may each answer on their own port; one
    // port is not shared.
    if (m_socket.bind(address, port))
        return true;
    *error = QStringLiteral("cannot listen for discovery on UDP %1 port %2: %3")
                     .arg(address.toString())
                     .arg(port)
                     .arg(m_socket.errorString());
    return false;
}

bool DiscoveryResponder::isDiscover(const QByteArray &datagram)
{
    if (datagram.size() > MaxDatagram || !datagram.startsWith('{'))
        return false;
    QJsonParseError problem{};
    const QJsonDocument document = QJsonDocument::fromJson(datagram, &problem);
    if (problem.error != QJsonParseError::NoError || !document.isObject())
        return false;
    const QJsonObject object = document.object();
    // No protocol means ours; anything but the number itself ("1", 1.5,
    // 2) is another's question.
    const QJsonValue protocol = object.value(QLatin1String("protocol"));
    const bool ours = protocol.isUndefined()
                      || (protocol.isDouble() && protocol.toDouble() == Confab::Protocol::Defaults::ProtocolVersion);
    return object.value(QLatin1String("type")).toString() == QLatin1String("discover") && ours;
}

QByteArray DiscoveryResponder::answer(const Announcement &announcement, qint64 users, qint64 rooms)
{
    QString name = announcement.name.left(64);
    for (;;) {
        QJsonObject object{{QStringLiteral("type"), QStringLiteral("server")},
                           {QStringLiteral("name"), name},
                           {QStringLiteral("tcp"), announcement.tcpPort},
                           {QStringLiteral("http"), announcement.httpPort},
                           {QStringLiteral("tls"), announcement.tls},
                           {QStringLiteral("password"), announcement.password},
                           {QStringLiteral("users"), users},
                           {QStringLiteral("rooms"), rooms},
                           {QStringLiteral("version"), announcement.version.left(64)}};
        if (announcement.tls && !announcement.fingerprint.isEmpty())
            object.insert(QStringLiteral("fingerprint"), announcement.fingerprint);
        const QByteArray bytes = QJsonDocument(object).toJson(QJsonDocument::Compact);
        if (bytes.size() <= MaxDatagram || name.isEmpty())
            return bytes;
        name.chop(qMax<qsizetype>(1, (bytes.size() - MaxDatagram) / 2));
    }
}

bool DiscoveryResponder::mayAnswer(const QHostAddress &source)
{
    const QString key = ConnectionLimiter::addressKey(source);
    const qint64 now = m_clock.elapsed();
    const auto last = m_lastAnswerMs.constFind(key);
    if (last != m_lastAnswerMs.constEnd() && now - *last < AnswerIntervalMs)
        return false;
    if (m_lastAnswerMs.size() >= RememberedSources) {
        m_lastAnswerMs.removeIf([now](const auto &entry) { return now - entry.value() >= AnswerIntervalMs; });
        if (m_lastAnswerMs.size() >= RememberedSources)
            return false; // a flood from thousands of addresses: answer nobody new for now
    }
    m_lastAnswerMs.insert(key, now);
    return true;
}

void DiscoveryResponder::readPending()
{
    while (m_socket.hasPendingDatagrams()) {
        const QNetworkDatagram datagram = m_socket.receiveDatagram(MaxDatagram + 1);
        if (!datagram.isValid() || !isDiscover(datagram.data()) || !mayAnswer(datagram.senderAddress()))
            continue;
        const auto [users, rooms] = m_counts();
        m_socket.writeDatagram(answer(m_announcement, users, rooms), datagram.senderAddress(),
                               quint16(datagram.senderPort()));
    }
}
