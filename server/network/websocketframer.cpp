#include "websocketframer.h"

#include <QtEndian>

namespace {

// RFC 3629 UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
bool isValidUtf8(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const uchar *>(bytes.data());
    const uchar *const end = p + bytes.size();
    while (p < end) {
        const uchar lead = *p;
        if (lead < 0x80) {
            ++p;
            continue;
        }
        int follow;
        char32_t codePoint;
        if (lead >= 0xC2 && lead <= 0xDF) {
            follow = 1;
            codePoint = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            follow = 2;
            codePoint = lead & 0x0F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            follow = 3;
            codePoint = lead & 0x07;
        } else {
            return false;
        }
        if (end - p <= follow)
            return false;
        for (int i = 1; i <= follow; ++i) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            codePoint = (codePoint << 6) | (p[i] & 0x3F);
        }
        if (follow == 2 && (codePoint < 0x800 || (codePoint >= 0xD800 && codePoint <= 0xDFFF)))
            return false;
        if (follow == 3 && (codePoint < 0x10000 || codePoint > 0x10FFFF))
            return false;
        p += follow + 1;
    }
    return true;
}

// Codes a client may send in a close frame (RFC 6455, 7.4).
bool isValidCloseCode(quint16 code)
{
    if (code >= 3000 && code <= 4999)
        return true;
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011);
}

bool isKnownOpcode(quint8 opcode)
{
    return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

} // namespace

WebSocketFramer::WebSocketFramer(qsizetype maxMessageBytes)
    : m_maxMessageBytes(maxMessageBytes)
{
}

void WebSocketFramer::append(QByteArrayView bytes)
{
    if (m_final == Status::NeedMore)
        m_input.append(bytes);
}

WebSocketFramer::Status WebSocketFramer::fail(quint16 code, const QString &reason)
{
    m_final = Status::Failed;
    m_closeCode = code;
    m_closeReason = reason;
    m_input = QByteArray();
    m_message = QByteArray();
    m_consumed = 0;
    return m_final;
}

void WebSocketFramer::compact()
{
    // Nothing is kept for an idle connection.
    if (m_consumed >= m_input.size())
        m_input = QByteArray();
    else if (m_consumed > 0)
        m_input.remove(0, m_consumed);
    m_consumed = 0;
}

WebSocketFramer::Status WebSocketFramer::next(QByteArray *payload)
{
    if (m_final != Status::NeedMore)
        return m_final;
    for (;;) {
        const auto *frame = reinterpret_cast<const uchar *>(m_input.constData()) + m_consumed;
        const qsizetype available = m_input.size() - m_consumed;
        if (available < 2)
            break;
        const bool fin = frame[0] & 0x80;
        const quint8 opcode = frame[0] & 0x0F;
        if (frame[0] & 0x70)
            return fail(CloseProtocolError, QStringLiteral("reserved bits set, but no extension was agreed"));
        if (!isKnownOpcode(opcode))
            return fail(CloseProtocolError, QStringLiteral("unknown opcode %1").arg(opcode));
        if (!(frame[1] & 0x80))
            return fail(CloseProtocolError, QStringLiteral("client frames must be masked"));
        const quint8 shortLength = frame[1] & 0x7F;
        const qsizetype lengthBytes = shortLength == 126 ? 2 : shortLength == 127 ? 8 : 0;
        const qsizetype headerBytes = 2 + lengthBytes + 4;
        if (available < headerBytes)
            break;
        quint64 length = shortLength;
        if (shortLength == 126)
            length = qFromBigEndian<quint16>(frame + 2);
        else if (shortLength == 127)
            length = qFromBigEndian<quint64>(frame + 2);

        const bool control = opcode & 0x8;
        if (control && (!fin || length > 125))
            return fail(CloseProtocolError, QStringLiteral("control frames must be whole and at most 125 bytes"));
        if (!control) {
            if (opcode == quint8(Opcode::Continuation) && !m_inMessage)
                return fail(CloseProtocolError, QStringLiteral("a continuation frame with no message to continue"));
            if (opcode != quint8(Opcode::Continuation) && m_inMessage)
                return fail(CloseProtocolError, QStringLiteral("a new message began before the last one ended"));
            // Known too long from the header alone: refuse before buffering.
            if (length > quint64(m_maxMessageBytes - m_message.size())) {
                m_final = Status::TooLarge;
                m_input = QByteArray();
                m_message = QByteArray();
                m_consumed = 0;
                return m_final;
            }
        }
        if (quint64(available - headerBytes) < length)
            break;

        const uchar *mask = frame + 2 + lengthBytes;
        const auto *masked = frame + headerBytes;
        QByteArray data(qsizetype(length), Qt::Uninitialized);
        char *out = data.data();
        for (qsizetype i = 0; i < qsizetype(length); ++i)
            out[i] = char(masked[i] ^ mask[i & 3]);
        m_consumed += headerBytes + qsizetype(length);

        switch (Opcode(opcode)) {
        case Opcode::Pong:
            continue;
        case Opcode::Ping:
            *payload = std::move(data);
            return Status::Ping;
        case Opcode::Close: {
            quint16 code = CloseNoStatus;
            if (length == 1)
                return fail(CloseProtocolError, QStringLiteral("a close frame with half a status code"));
            if (length >= 2) {
                code = qFromBigEndian<quint16>(data.constData());
                if (!isValidCloseCode(code))
                    return fail(CloseProtocolError, QStringLiteral("invalid close code %1").arg(code));
                const QByteArrayView reason = QByteArrayView(data).sliced(2);
                if (!isValidUtf8(reason))
                    return fail(CloseInvalidData, QStringLiteral("the close reason is not valid UTF-8"));
                m_closeReason = QString::fromUtf8(reason);
            }
            m_closeCode = code;
            m_final = Status::Close;
            m_input = QByteArray();
            m_message = QByteArray();
            m_consumed = 0;
            return m_final;
        }
        case Opcode::Text:
        case Opcode::Binary:
        case Opcode::Continuation:
            break;
        }

        Opcode messageOpcode = Opcode(opcode);
        if (!fin) {
            if (!m_inMessage)
                m_messageOpcode = messageOpcode;
            m_inMessage = true;
            m_message.append(data);
            continue;
        }
        if (m_inMessage) {
            m_message.append(data);
            data = std::exchange(m_message, QByteArray());
            messageOpcode = m_messageOpcode;
            m_inMessage = false;
        }
        if (messageOpcode == Opcode::Text && !isValidUtf8(data))
            return fail(CloseInvalidData, QStringLiteral("a text message that is not valid UTF-8"));
        *payload = std::move(data);
        return messageOpcode == Opcode::Text ? Status::Text : Status::Binary;
    }
    compact();
    return Status::NeedMore;
}

qsizetype WebSocketFramer::writeHeader(uchar *header, Opcode opcode, qsizetype payloadBytes)
{
    header[0] = uchar(0x80 | quint8(opcode));
    if (payloadBytes < 126) {
        header[1] = uchar(payloadBytes);
        return 2;
    }
    if (payloadBytes <= 0xFFFF) {
        header[1] = 126;
        qToBigEndian<quint16>(quint16(payloadBytes), header + 2);
        return 4;
    }
    header[1] = 127;
    qToBigEndian<quint64>(quint64(payloadBytes), header + 2);
    return 10;
}

void WebSocketFramer::appendFrame(QByteArray &out, Opcode opcode, QByteArrayView payload)
{
    uchar header[MaxHeaderBytes];
    out.append(reinterpret_cast<const char *>(header), writeHeader(header, opcode, payload.size()));
    out.append(payload);
}

void WebSocketFramer::appendClose(QByteArray &out, quint16 code, QByteArrayView reason)
{
    if (code == CloseNoStatus) {
        appendFrame(out, Opcode::Close, {});
        return;
    }
    char body[125];
    qToBigEndian<quint16>(code, body);
    const qsizetype reasonBytes = qMin<qsizetype>(reason.size(), sizeof body - 2);
    if (reasonBytes > 0)
        memcpy(body + 2, reason.data(), size_t(reasonBytes));
    appendFrame(out, Opcode::Close, QByteArrayView(body, 2 + reasonBytes));
}
