#include "websocketframer.h"

#include <QTest>

#include <QtEndian>

using namespace Qt::StringLiterals;

using Status = WebSocketFramer::Status;
using Opcode = WebSocketFramer::Opcode;

namespace {

constexpr qsizetype MaxMessage = 1000;

// A frame as a client sends it: masked, unless told otherwise.
QByteArray clientFrame(quint8 opcode, const QByteArray &payload, bool fin = true, bool masked = true,
                       quint8 rsv = 0)
{
    QByteArray frame;
    frame.append(char((fin ? 0x80 : 0) | (rsv << 4) | opcode));
    const quint8 maskBit = masked ? 0x80 : 0;
    if (payload.size() < 126) {
        frame.append(char(maskBit | payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        frame.append(char(maskBit | 126));
        char length[2];
        qToBigEndian<quint16>(quint16(payload.size()), length);
        frame.append(length, 2);
    } else {
        frame.append(char(maskBit | 127));
        char length[8];
        qToBigEndian<quint64>(quint64(payload.size()), length);
        frame.append(length, 8);
    }
    if (!masked)
        return frame + payload;
    const char key[4] = {'\x12', '\x34', '\x56', '\x78'};
    frame.append(key, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ key[i & 3]));
    return frame;
}

QByteArray text(const QByteArray &payload, bool fin = true) { return clientFrame(0x1, payload, fin); }

QByteArray closeBody(quint16 code, const QByteArray &reason = {})
{
    char bytes[2];
    qToBigEndian<quint16>(code, bytes);
    return QByteArray(bytes, 2) + reason;
}

// "T:payload", "B:payload", "P:payload", "C:code:reason", "F:code", "L" (too
// large): what the framer reported, in order, until it needs more or stops.
QStringList drain(WebSocketFramer &framer)
{
    QStringList seen;
    QByteArray payload;
    for (;;) {
        switch (framer.next(&payload)) {
        case Status::NeedMore:
            return seen;
        case Status::Text:
            seen << u"T:"_s + QString::fromUtf8(payload);
            break;
        case Status::Binary:
            seen << u"B:"_s + QString::fromLatin1(payload.toHex());
            break;
        case Status::Ping:
            seen << u"P:"_s + QString::fromUtf8(payload);
            break;
        case Status::Close:
            seen << u"C:%1:%2"_s.arg(framer.closeCode()).arg(framer.closeReason());
            return seen;
        case Status::Failed:
            seen << u"F:%1"_s.arg(framer.closeCode());
            return seen;
        case Status::TooLarge:
            seen << u"L"_s;
            return seen;
        }
    }
}

} // namespace

class TestWebSocketFramer : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void byteByByte();
    void stopsAfterTheEnd();
    void serverFrames_data();
    void serverFrames();
    void closeFrames();
};

void TestWebSocketFramer::parse_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<qsizetype>("pending");

    const QByteArray hello = R"({"type":"hello","nick":"ann"})";
    QTest::newRow("text") << text(hello) << QStringList{u"T:"_s + QString::fromUtf8(hello)}
                          << qsizetype(0);
    QTest::newRow("two in one read") << text("a") + text("b") << QStringList{u"T:a"_s, u"T:b"_s} << qsizetype(0);
    QTest::newRow("empty text") << text("") << QStringList{u"T:"_s} << qsizetype(0);
    QTest::newRow("16-bit length") << text(QByteArray(300, 'x'))
                                   << QStringList{u"T:"_s + QString(300, u'x')} << qsizetype(0);
    QTest::newRow("multi-byte UTF-8") << text("caf\xc3\xa9 \xf0\x9f\x98\x80")
                                      << QStringList{u"T:café 😀"_s} << qsizetype(0);
    QTest::newRow("fragmented") << text("ab", false) + clientFrame(0x0, "cd", false) + clientFrame(0x0, "ef")
                                << QStringList{u"T:abcdef"_s} << qsizetype(0);
    QTest::newRow("ping inside a fragmented message")
            << text("ab", false) + clientFrame(0x9, "are you there") + clientFrame(0x0, "cd")
            << QStringList{u"P:are you there"_s, u"T:abcd"_s} << qsizetype(0);
    QTest::newRow("UTF-8 split across fragments")
            << text("\xc3", false) + clientFrame(0x0, "\xa9") << QStringList{u"T:é"_s} << qsizetype(0);
    QTest::newRow("binary") << clientFrame(0x2, "\x01\x02") << QStringList{u"B:0102"_s} << qsizetype(0);
    QTest::newRow("pong ignored") << clientFrame(0xA, "x") + text("a") << QStringList{u"T:a"_s} << qsizetype(0);
    QTest::newRow("incomplete header kept") << text("a") + text("bc").left(1) << QStringList{u"T:a"_s} << qsizetype(1);
    QTest::newRow("incomplete payload kept") << text("hello").chopped(2) << QStringList{} << qsizetype(9);

    QTest::newRow("close with code and reason") << clientFrame(0x8, closeBody(1001, "tab closed"))
                                                << QStringList{u"C:1001:tab closed"_s} << qsizetype(0);
    QTest::newRow("close without code") << clientFrame(0x8, "") << QStringList{u"C:1005:"_s} << qsizetype(0);
    QTest::newRow("close after a message") << text("a") + clientFrame(0x8, closeBody(1000)) + text("ignored")
                                           << QStringList{u"T:a"_s, u"C:1000:"_s} << qsizetype(0);

    QTest::newRow("unmasked") << clientFrame(0x1, "a", true, false) << QStringList{u"F:1002"_s} << qsizetype(0);
    QTest::newRow("reserved bit") << clientFrame(0x1, "a", true, true, 4) << QStringList{u"F:1002"_s} << qsizetype(0);
    QTest::newRow("unknown opcode") << clientFrame(0x3, "a") << QStringList{u"F:1002"_s} << qsizetype(0);
    QTest::newRow("fragmented ping") << clientFrame(0x9, "a", false) << QStringList{u"F:1002"_s} << qsizetype(0);
    QTest::newRow("long ping") << clientFrame(0x9, QByteArray(126, 'p')) << QStringList{u"F:1002"_s} << qsizetype(0);
    QTest::newRow("continuation of nothing") << clientFrame(0x0, "a") << QStringList{u"F:1002"_s} << qsizetype(0);
    QTest::newRow("new message mid-message") << text("a", false) + text("b") << QStringList{u"F:1002"_s}
                                             << qsizetype(0);
    QTest::newRow("half a close code") << clientFrame(0x8, "\x03") << QStringList{u"F:1002"_s} << qsizetype(0);
    QTest::newRow("close code 1005 sent") << clientFrame(0x8, closeBody(1005)) << QStringList{u"F:1002"_s}
                                          << qsizetype(0);
    QTest::newRow("close code 999") << clientFrame(0x8, closeBody(999)) << QStringList{u"F:1002"_s} << qsizetype(0);
    QTest::newRow("close reason not UTF-8") << clientFrame(0x8, closeBody(1000, "\xff")) << QStringList{u"F:1007"_s}
                                            << qsizetype(0);
    QTest::newRow("invalid byte") << text("a\xff") << QStringList{u"F:1007"_s} << qsizetype(0);
    QTest::newRow("overlong slash") << text("\xc0\xaf") << QStringList{u"F:1007"_s} << qsizetype(0);
    QTest::newRow("surrogate") << text("\xed\xa0\x80") << QStringList{u"F:1007"_s} << qsizetype(0);
    QTest::newRow("past U+10FFFF") << text("\xf4\x90\x80\x80") << QStringList{u"F:1007"_s} << qsizetype(0);
    QTest::newRow("truncated sequence") << text("\xe2\x82") << QStringList{u"F:1007"_s} << qsizetype(0);
    QTest::newRow("good frame, then a bad one") << text("ok") + clientFrame(0x1, "a", true, false)
                                                << QStringList{u"T:ok"_s, u"F:1002"_s} << qsizetype(0);

    QTest::newRow("exactly the limit") << text(QByteArray(MaxMessage, 'x'))
                                       << QStringList{u"T:"_s + QString(MaxMessage, u'x')}
                                       << qsizetype(0);
    QTest::newRow("one past the limit") << text(QByteArray(MaxMessage + 1, 'x')) << QStringList{u"L"_s}
                                        << qsizetype(0);
    // Refused from the header: the megabyte never has to arrive.
    QTest::newRow("huge, header only") << text(QByteArray(1 << 20, 'x')).left(14) << QStringList{u"L"_s}
                                       << qsizetype(0);
    QTest::newRow("fragments past the limit")
            << text(QByteArray(600, 'x'), false) + clientFrame(0x0, QByteArray(600, 'y')) << QStringList{u"L"_s}
            << qsizetype(0);
}

void TestWebSocketFramer::parse()
{
    QFETCH(QByteArray, input);
    QFETCH(QStringList, expected);
    QFETCH(qsizetype, pending);

    WebSocketFramer framer(MaxMessage);
    framer.append(input);
    QCOMPARE(drain(framer), expected);
    QCOMPARE(framer.pendingBytes(), pending);
}

void TestWebSocketFramer::byteByByte()
{
    const QByteArray input = text("first") + text("sec", false) + clientFrame(0x9, "ping") + clientFrame(0x0, "ond")
                             + text(QByteArray(200, 'z'));
    WebSocketFramer framer(MaxMessage);
    QStringList seen;
    for (const char byte : input) {
        framer.append(QByteArrayView(&byte, 1));
        seen += drain(framer);
    }
    QCOMPARE(seen, (QStringList{u"T:first"_s, u"P:ping"_s, u"T:second"_s, u"T:"_s + QString(200, u'z')}));
    QCOMPARE(framer.pendingBytes(), 0);
}

void TestWebSocketFramer::stopsAfterTheEnd()
{
    WebSocketFramer framer(MaxMessage);
    framer.append(clientFrame(0x1, "a", true, false));
    QCOMPARE(drain(framer), QStringList{u"F:1002"_s});
    framer.append(text("more"));
    QByteArray payload;
    QCOMPARE(framer.next(&payload), Status::Failed);
    QCOMPARE(framer.pendingBytes(), 0);
}

void TestWebSocketFramer::serverFrames_data()
{
    QTest::addColumn<qsizetype>("payloadBytes");
    QTest::addColumn<QByteArray>("header");

    QTest::newRow("empty") << qsizetype(0) << QByteArray("\x81\x00", 2);
    QTest::newRow("125") << qsizetype(125) << QByteArray("\x81\x7d");
    QTest::newRow("126") << qsizetype(126) << QByteArray("\x81\x7e\x00\x7e", 4);
    QTest::newRow("65535") << qsizetype(65535) << QByteArray("\x81\x7e\xff\xff");
    QTest::newRow("65536") << qsizetype(65536) << QByteArray("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
}

void TestWebSocketFramer::serverFrames()
{
    QFETCH(qsizetype, payloadBytes);
    QFETCH(QByteArray, header);

    const QByteArray payload(payloadBytes, 'p');
    QByteArray frame;
    WebSocketFramer::appendFrame(frame, Opcode::Text, payload);
    QCOMPARE(frame.left(header.size()).toHex(), header.toHex());
    QCOMPARE(frame.mid(header.size()), payload);
}

void TestWebSocketFramer::closeFrames()
{
    QByteArray frame;
    WebSocketFramer::appendClose(frame, WebSocketFramer::CloseTooBig, "too big");
    QCOMPARE(frame, QByteArray("\x88\x09\x03\xf1too big"));

    frame.clear();
    WebSocketFramer::appendClose(frame, WebSocketFramer::CloseNormal);
    QCOMPARE(frame, QByteArray("\x88\x02\x03\xe8", 4));

    frame.clear();
    WebSocketFramer::appendClose(frame, WebSocketFramer::CloseNoStatus);
    QCOMPARE(frame, QByteArray("\x88\x00", 2));

    frame.clear();
    WebSocketFramer::appendClose(frame, WebSocketFramer::CloseNormal, QByteArray(200, 'r'));
    QCOMPARE(frame.size(), 2 + 125);
}

QTEST_APPLESS_MAIN(TestWebSocketFramer)
#include "tst_websocketframer.moc"
