#include "proxyheader.h"

#include <QList>

namespace {

constexpr char V2Signature[] = "\r\n\r\n\0\r\nQUIT\n";
constexpr qsizetype V2SignatureLength = 12;
constexpr qsizetype V1MaxLength = 107;

ProxyHeader invalid(const QString &why)
{
    ProxyHeader header;
    header.status = ProxyHeader::Status::Invalid;
    header.error = why;
    return header;
}

bool startsWith(QByteArrayView bytes, QByteArrayView prefix)
{
    const qsizetype n = qMin(bytes.size(), prefix.size());
    return bytes.first(n) == prefix.first(n);
}

std::optional<quint16> port(QByteArrayView text)
{
    // Decimal, no sign, no leading zeros (the specification's words).
    if (text.isEmpty() || text.size() > 5 || (text.size() > 1 && text[0] == '0'))
        return std::nullopt;
    uint value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + uint(c - '0');
    }
    return value <= 65535 ? std::optional<quint16>(quint16(value)) : std::nullopt;
}

ProxyHeader parseV1(QByteArrayView bytes)
{
    const qsizetype end = bytes.first(qMin(bytes.size(), V1MaxLength)).indexOf(QByteArrayView("\r\n"));
    if (end < 0) {
        if (bytes.size() >= V1MaxLength)
            return invalid(QStringLiteral("a version 1 header longer than 107 bytes"));
        return {};
    }
    const QList<QByteArrayView> words = [&] {
        QList<QByteArrayView> out;
        QByteArrayView line = bytes.first(end);
        while (!line.isEmpty()) {
            const qsizetype space = line.indexOf(' ');
            out.append(space < 0 ? line : line.first(space));
            line = space < 0 ? QByteArrayView() : line.sliced(space + 1);
        }
        return out;
    }();
    ProxyHeader header;
    header.status = ProxyHeader::Status::Complete;
    header.length = end + 2;
    if (words.size() >= 2 && words[1] == "UNKNOWN")
        return header;
    if (words.size() != 6 || (words[1] != "TCP4" && words[1] != "TCP6"))
        return invalid(QStringLiteral("a version 1 header must be PROXY TCP4|TCP6 SRC DST SPORT DPORT"));
    const QHostAddress source(QString::fromLatin1(words[2].toByteArray()));
    const QHostAddress destination(QString::fromLatin1(words[3].toByteArray()));
    const auto expected = words[1] == "TCP4" ? QAbstractSocket::IPv4Protocol : QAbstractSocket::IPv6Protocol;
    const auto sourcePort = port(words[4]);
    if (source.protocol() != expected || destination.protocol() != expected || !sourcePort || !port(words[5]))
        return invalid(QStringLiteral("a version 1 header with a malformed address or port"));
    header.source = source;
    header.sourcePort = *sourcePort;
    return header;
}

ProxyHeader parseV2(QByteArrayView bytes)
{
    if (bytes.size() < 16)
        return {};
    const auto byte = [&](qsizetype i) { return quint8(bytes[i]); };
    if ((byte(12) >> 4) != 2)
        return invalid(QStringLiteral("a version 2 header of another version"));
    const int command = byte(12) & 0x0f;
    const int family = byte(13);
    const qsizetype length = (qsizetype(byte(14)) << 8) | byte(15);
    if (16 + length > ProxyHeader::MaxLength)
        return invalid(QStringLiteral("a version 2 header longer than Confab accepts"));
    if (bytes.size() < 16 + length)
        return {};
    ProxyHeader header;
    header.status = ProxyHeader::Status::Complete;
    header.length = 16 + length;
    if (command == 0x0)
        return header; // LOCAL: the proxy's own connection
    if (command != 0x1)
        return invalid(QStringLiteral("a version 2 header with an unknown command"));
    if (family == 0x11) { // TCP over IPv4
        if (length < 12)
            return invalid(QStringLiteral("a version 2 header too short for IPv4 addresses"));
        const quint32 address = (quint32(byte(16)) << 24) | (quint32(byte(17)) << 16) | (quint32(byte(18)) << 8)
                                | byte(19);
        header.source = QHostAddress(address);
        header.sourcePort = quint16((byte(24) << 8) | byte(25));
        return header;
    }
    if (family == 0x21) { // TCP over IPv6
        if (length < 36)
            return invalid(QStringLiteral("a version 2 header too short for IPv6 addresses"));
        Q_IPV6ADDR address;
        for (int i = 0; i < 16; ++i)
            address[i] = byte(16 + i);
        header.source = QHostAddress(address);
        header.sourcePort = quint16((byte(48) << 8) | byte(49));
        return header;
    }
    if (family == 0x00)
        return header; // UNSPEC: as LOCAL
    return invalid(QStringLiteral("a version 2 header for neither TCP over IPv4 nor over IPv6"));
}

} // namespace

bool ProxyHeader::looksLikeHeader(QByteArrayView bytes)
{
    return !bytes.isEmpty()
           && (startsWith(bytes, "PROXY ") || startsWith(bytes, QByteArrayView(V2Signature, V2SignatureLength)));
}

ProxyHeader ProxyHeader::parse(QByteArrayView bytes)
{
    if (startsWith(bytes, QByteArrayView(V2Signature, V2SignatureLength))) {
        if (bytes.size() < V2SignatureLength)
            return {};
        return parseV2(bytes);
    }
    if (startsWith(bytes, "PROXY ")) {
        if (bytes.size() < 6)
            return {};
        return parseV1(bytes);
    }
    return invalid(QStringLiteral("no PROXY protocol header"));
}
