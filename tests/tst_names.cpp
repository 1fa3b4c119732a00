#include "names.h"

#include <QTest>

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;

class TestNames : public QObject
{
    Q_OBJECT

private slots:
    void nickAndRoom_data();
    void nickAndRoom();
    void nameKey_data();
    void nameKey();
    void text_data();
    void text();
    void topic_data();
    void topic();
    void reaction_data();
    void reaction();
};

void TestNames::nickAndRoom_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("validNick");
    QTest::addColumn<bool>("validRoom");

    QTest::newRow("ascii") << u"alice"_s << true << true;
    QTest::newRow("mixed case") << u"Alice_Bob"_s << true << true;
    QTest::newRow("inner dot and dash") << u"a.b-c"_s << true << true;
    QTest::newRow("leading underscore") << u"_x"_s << true << true;
    QTest::newRow("one letter") << u"a"_s << true << true;
    QTest::newRow("empty") << QString() << false << false;
    QTest::newRow("leading digit") << u"9lives"_s << false << true;
    QTest::newRow("only digits") << u"2024"_s << false << true;
    QTest::newRow("leading dash") << u"-x"_s << false << false;
    QTest::newRow("leading dot") << u".x"_s << false << false;
    QTest::newRow("space") << u"a b"_s << false << false;
    QTest::newRow("hash") << u"#room"_s << false << false;
    QTest::newRow("at sign") << u"a@b"_s << false << false;
    QTest::newRow("emoji") << u"cat\U0001F431"_s << false << false;
    QTest::newRow("tab") << u"a\tb"_s << false << false;
    QTest::newRow("nul") << QString::fromUtf16(u"a\0b", 3) << false << false;
    QTest::newRow("greek") << u"Σίσυφος"_s << true << true;
    QTest::newRow("cyrillic") << u"Борис"_s << true << true;
    QTest::newRow("cjk") << u"東京"_s << true << true;
    QTest::newRow("arabic digit leads latin") << u"٣abc"_s << false << false; // two scripts
    QTest::newRow("arabic digits lead arabic") << u"٣سلام"_s << false << true;
    QTest::newRow("devanagari with marks") << u"नमस्ते"_s << true << true;
    QTest::newRow("combining mark first") << u"\u0301a"_s << false << false;
    QTest::newRow("decomposed accent") << u"Jose\u0301"_s << true << true;
    QTest::newRow("astral letter") << u"\U0001D49Cbc"_s << true << true; // MATHEMATICAL SCRIPT CAPITAL A
    QTest::newRow("lone surrogate") << QString(QChar(0xD800)) << false << false;
    QTest::newRow("32 letters") << QString(32, u'n') << true << true;
    QTest::newRow("33 letters") << QString(33, u'n') << false << true;
    QTest::newRow("32 astral letters") << u"\U0001D49C"_s.repeated(32) << true << true;
    QTest::newRow("33 astral letters") << u"\U0001D49C"_s.repeated(33) << false << true;
    QTest::newRow("64 letters") << QString(64, u'r') << false << true;
    QTest::newRow("65 letters") << QString(65, u'r') << false << false;
    // Invisible code points: each of these looks exactly like "Alice", or blank.
    QTest::newRow("combining grapheme joiner") << u"Alice\u034F"_s << false << false;
    QTest::newRow("variation selector 16") << u"Alice\uFE0F"_s << false << false;
    QTest::newRow("mongolian variation selector") << u"Alice\u180B"_s << false << false;
    QTest::newRow("ideographic variation selector") << u"Alice\U000E0100"_s << false << false;
    QTest::newRow("zero width joiner") << u"Al\u200Dice"_s << false << false;
    QTest::newRow("soft hyphen") << u"Al\u00ADice"_s << false << false;
    QTest::newRow("hangul filler") << u"\u3164"_s << false << false;
    QTest::newRow("hangul choseong filler") << u"\u115F\u1160"_s << false << false;
    QTest::newRow("halfwidth hangul filler") << u"a\uFFA0"_s << false << false;
    QTest::newRow("tag character") << u"bob\U000E0041"_s << false << false;
    // Scripts: one at a time, or Latin with the CJK scripts (UTS #39).
    QTest::newRow("cyrillic a in latin") << u"\u0430lice"_s << false << false;
    QTest::newRow("greek omicron in latin") << u"b\u03BFb"_s << false << false;
    QTest::newRow("latin with digits") << u"alice42"_s << true << true;
    QTest::newRow("cyrillic with digits") << u"\u0431\u043E\u0440\u0438\u0441_2"_s << true << true;
    QTest::newRow("whole-script cyrillic") << u"\u0430\u0440\u0435"_s << true << true;
    QTest::newRow("latin and kanji and kana") << u"Taro\u592A\u90CE\u3061\u3083\u3093"_s << true << true;
    QTest::newRow("latin and hangul") << u"kim\uAE40"_s << true << true;
    QTest::newRow("greek and cyrillic") << u"\u03B1\u0431"_s << false << false;
    QTest::newRow("hangul and kana") << u"\uAE40\u30AB"_s << false << false;
}

void TestNames::nickAndRoom()
{
    QFETCH(QString, name);
    QFETCH(bool, validNick);
    QFETCH(bool, validRoom);

    const auto nickViolation = checkNick(name);
    QCOMPARE(!nickViolation, validNick);
    if (nickViolation) {
        QCOMPARE(nickViolation->code, ErrorCode::NickInvalid);
        QVERIFY(!nickViolation->reason.isEmpty());
    }
    const auto roomViolation = checkRoom(name);
    QCOMPARE(!roomViolation, validRoom);
    if (roomViolation)
        QCOMPARE(roomViolation->code, ErrorCode::RoomInvalid);
}

void TestNames::nameKey_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("same");

    QTest::newRow("identical") << u"alice"_s << u"alice"_s << true;
    QTest::newRow("ascii case") << u"Alice"_s << u"aLICE"_s << true;
    QTest::newRow("greek final sigma") << u"ΣΊΣΥΦΟΣ"_s << u"σίσυφος"_s << true;
    QTest::newRow("cyrillic case") << u"БОРИС"_s << u"борис"_s << true;
    QTest::newRow("composed vs decomposed") << u"José"_s << u"Jose\u0301"_s << true;
    QTest::newRow("full width") << u"ａｌｉｃｅ"_s << u"alice"_s << true;
    QTest::newRow("different letters") << u"alice"_s << u"alicf"_s << false;
    QTest::newRow("dot matters") << u"a.b"_s << u"ab"_s << false;
    QTest::newRow("dash vs underscore") << u"a-b"_s << u"a_b"_s << false;
}

void TestNames::nameKey()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, same);
    QCOMPARE(Confab::Protocol::nameKey(a) == Confab::Protocol::nameKey(b), same);
}

void TestNames::text_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");

    QTest::newRow("plain") << u"hello"_s << true;
    QTest::newRow("line breaks") << u"one\ntwo\r\nthree"_s << true;
    QTest::newRow("tab") << u"a\tb"_s << true;
    QTest::newRow("html stays text") << u"<img src=x onerror=alert(1)>"_s << true;
    QTest::newRow("emoji") << u"\U0001F600"_s << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("spaces") << u"   "_s << false;
    QTest::newRow("white space mix") << u" \n\t\u00A0"_s << false;
    QTest::newRow("escape sequence") << u"\u001b[2J"_s << false;
    QTest::newRow("nul") << QString::fromUtf16(u"a\0b", 3) << false;
    QTest::newRow("delete") << u"a\u007F"_s << false;
    QTest::newRow("c1 control") << u"a\u0085"_s << false;
    QTest::newRow("lone surrogate") << u"a"_s + QChar(0xDC00) << false;
    QTest::newRow("4096 bytes") << QString(4096, u'x') << true;
    QTest::newRow("4097 bytes") << QString(4097, u'x') << false;
    QTest::newRow("2048 two-byte chars") << QString(2048, u'é') << true;
    QTest::newRow("2049 two-byte chars") << QString(2049, u'é') << false;
    QTest::newRow("1024 four-byte chars") << u"\U0001F600"_s.repeated(1024) << true;
    QTest::newRow("1025 four-byte chars") << u"\U0001F600"_s.repeated(1025) << false;
    QTest::newRow("1366 three-byte chars") << QString(1366, u'€') << false;
    QTest::newRow("1365 three-byte chars") << QString(1365, u'€') << true;
    // Blank is what shows as blank.
    QTest::newRow("zero width spaces") << u"\u200B\u200B"_s << false;
    QTest::newRow("byte order marks") << u"\uFEFF\uFEFF"_s << false;
    QTest::newRow("hangul fillers") << u"\u3164 \u115F"_s << false;
    QTest::newRow("braille blank") << u"\u2800"_s << false;
    QTest::newRow("word joiner and space") << u" \u2060 "_s << false;
    QTest::newRow("visible after invisible") << u"\u200Bhi"_s << true;
    // Shown isolated by the clients, not refused.
    QTest::newRow("right-to-left override") << u"abc \u202Edef"_s << true;
}

void TestNames::text()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    const auto violation = checkText(text);
    QCOMPARE(!violation, valid);
    if (violation)
        QCOMPARE(violation->code, ErrorCode::TextInvalid);
}

void TestNames::topic_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("valid");

    QTest::newRow("empty clears") << QString() << true;
    QTest::newRow("plain") << u"Release planning"_s << true;
    QTest::newRow("300 chars") << QString(300, u't') << true;
    QTest::newRow("301 chars") << QString(301, u't') << false;
    QTest::newRow("300 astral chars") << u"\U0001F600"_s.repeated(300) << true;
    QTest::newRow("line break") << u"a\nb"_s << false;
    QTest::newRow("escape") << u"\u001b]0;x"_s << false;
}

void TestNames::topic()
{
    QFETCH(QString, topic);
    QFETCH(bool, valid);
    QCOMPARE(!checkTopic(topic), valid);
    QCOMPARE(!checkReason(topic), valid);
}

void TestNames::reaction_data()
{
    QTest::addColumn<QString>("emoji");
    QTest::addColumn<bool>("valid");

    QTest::newRow("thumbs up") << u"\U0001F44D"_s << true;
    QTest::newRow("heart with variation selector") << u"\u2764\uFE0F"_s << true;
    QTest::newRow("skin tone") << u"\U0001F44D\U0001F3FD"_s << true;
    QTest::newRow("flag") << u"\U0001F1EB\U0001F1F7"_s << true;
    QTest::newRow("family with joiners") << u"\U0001F468\u200D\U0001F469\u200D\U0001F467"_s << true;
    QTest::newRow("check mark") << u"\u2714"_s << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("letter") << u"a"_s << false;
    QTest::newRow("word") << u"yes"_s << false;
    QTest::newRow("two emoji") << u"\U0001F44D\U0001F44D"_s << false;
    QTest::newRow("emoji and text") << u"\U0001F44D ok"_s << false;
    QTest::newRow("space") << u" "_s << false;
    QTest::newRow("joiner alone") << u"\u200D"_s << false;
}

void TestNames::reaction()
{
    QFETCH(QString, emoji);
    QFETCH(bool, valid);
    const auto violation = checkReaction(emoji);
    QCOMPARE(!violation, valid);
    if (violation)
        QCOMPARE(violation->code, ErrorCode::TextInvalid);
}

QTEST_APPLESS_MAIN(TestNames)
#include "tst_names.moc"
