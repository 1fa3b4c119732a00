// How the desktop client words a refusal: whole sentences, each said once.
// tests/web/refusal.test.mjs holds the browser client's refusal.js to the
// same rows.

#include "refusal.h"

#include <QTest>

using namespace Qt::StringLiterals;
using Confab::Protocol::ErrorCode;

class TestRefusal : public QObject
{
    Q_OBJECT

private slots:
    void withAdvice_data();
    void withAdvice();
    void sentence_data();
    void sentence();
};

void TestRefusal::withAdvice_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("advice");
    QTest::addColumn<QString>("shown");

    QTest::newRow("server wording gets a capital and a stop")
            << u"a nick must not start with a digit"_s << u"Nicknames are short."_s
            << u"A nick must not start with a digit. Nicknames are short."_s;
    QTest::newRow("already a sentence: no second stop") << u"Enter a nickname."_s << u"Nicknames are short."_s
                                                        << u"Enter a nickname. Nicknames are short."_s;
    QTest::newRow("advice that repeats is left out") << u"this server needs a password"_s
                                                     << u"This server needs a password."_s
                                                     << u"This server needs a password."_s;
    QTest::newRow("a nick keeps its spelling") << u"bob is not online"_s << QString() << u"bob is not online."_s;
    QTest::newRow("no advice") << u"wrong password"_s << QString() << u"Wrong password."_s;
}

void TestRefusal::withAdvice()
{
    QFETCH(QString, message);
    QFETCH(QString, advice);
    QFETCH(QString, shown);
    QCOMPARE(Refusal::withAdvice(message, advice), shown);
}

void TestRefusal::sentence_data()
{
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("shown");

    QTest::newRow("with advice") << ErrorCode::InviteOnly << u"club is by invitation only"_s
                                 << u"club is by invitation only. Ask one of its ops to invite you."_s;
    QTest::newRow("empty message: the code in words") << ErrorCode::ServerFull << QString() << u"Server full."_s;
}

void TestRefusal::sentence()
{
    QFETCH(ErrorCode, code);
    QFETCH(QString, message);
    QFETCH(QString, shown);
    QCOMPARE(Refusal::sentence(code, message), shown);
}

QTEST_APPLESS_MAIN(TestRefusal)
#include "tst_refusal.moc"
