#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

// The WebSocket wire format (RFC 6455, section 5) as a server sees it, with
// no I/O: client frames in, whole messages and control frames out; server
// frames built into an output buffer.
//
// What the server accepts is deliberately narrow: no extensions (so no
// RSV bits), every client frame masked, control frames short and unfragmented,
// text that is valid UTF-8. Anything else ends the connection with the close
// code the RFC names. A message longer than the limit is reported as soon as
// a frame header says so; its payload is never buffered.
class WebSocketFramer final
{
public:
    enum class Opcode : quint8 {
        Continuation = 0x0,
        Text = 0x1,
        Binary = 0x2,
        Close = 0x8,
        Ping = 0x9,
        Pong = 0xA,
    };

    // Close codes the server sends (RFC 6455, 7.4.1).
    enum CloseCode : quint16 {
        CloseNormal = 1000,
        CloseGoingAway = 1001,
        CloseProtocolError = 1002,
        CloseNoStatus = 1005, // never sent: "the close frame had no code"
        CloseInvalidData = 1007,
        CloseTooBig = 1009,
    };

    enum class Status {
        NeedMore,  // nothing complete yet
        Text,      // *payload holds a whole text message (UTF-8, checked)
        Binary,    // *payload holds a whole binary message
        Ping,      // *payload holds the ping's data, to be echoed in a pong
        Close,     // the client closes; closeCode()/closeReason() say why
        TooLarge,  // a message passes the limit; the stream cannot go on
        Failed,    // the client broke the protocol; closeCode()/closeReason()
    };

    explicit WebSocketFramer(qsizetype maxMessageBytes);

    void append(QByteArrayView bytes);
    // The next complete message or control frame. Pongs are consumed here.
    // After Close, TooLarge or Failed, it answers the same again.
    Status next(QByteArray *payload);

    quint16 closeCode() const { return m_closeCode; }
    const QString &closeReason() const { return m_closeReason; }
    qsizetype maxMessageBytes() const { return m_maxMessageBytes; }
    // Bytes held for an unfinished frame or message.
    qsizetype pendingBytes() const { return m_input.size() - m_consumed + m_message.size(); }

    // Appends one unmasked, unfragmented server frame.
    static void appendFrame(QByteArray &out, Opcode opcode, QByteArrayView payload);
    // Writes the header of such a frame (at most MaxHeaderBytes) and
    // returns its length: the payload follows it unchanged.
    static constexpr qsizetype MaxHeaderBytes = 10;
    static qsizetype writeHeader(uchar *header, Opcode opcode, qsizetype payloadBytes);
    // Appends a close frame with a code (1005 means none) and a short ASCII
    // reason (cut at 123 bytes).
    static void appendClose(QByteArray &out, quint16 code, QByteArrayView reason = {});

private:
    Status fail(quint16 code, const QString &reason);
    void compact();

    qsizetype m_maxMessageBytes;
    QByteArray m_input;
    qsizetype m_consumed = 0;     // bytes of m_input already parsed
    QByteArray m_message;         // a fragmented message being put together
    Opcode m_messageOpcode = Opcode::Text;
    bool m_inMessage = false;
    Status m_final = Status::NeedMore; // Close, TooLarge or Failed, once reached
    quint16 m_closeCode = CloseNoStatus;
    QString m_closeReason;
};
