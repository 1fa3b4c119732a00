// client/core/commanddispatcher.cpp through the session: what the user
// types becomes the request, or an answer in the conversation.

#include "sessionscript.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace SessionScript;

class TestCommandDispatcher : public SessionTest
{
    Q_OBJECT

private slots:
    void commandsBecomeRequests_data();
    void commandsBecomeRequests();
};

void TestCommandDispatcher::commandsBecomeRequests_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QJsonObject>("request"); // every field of it but the id; empty: nothing sent
    QTest::addColumn<QString>("answer");      // the line shown in the lobby instead, if any

    QTest::newRow("text") << u"hello"_s << QJsonObject{{"type"_L1, "say"_L1}, {"room"_L1, "lobby"_L1}, {"text"_L1, "hello"_L1}}
                          << QString();
    QTest::newRow("/me") << u"/me waves"_s
                         << QJsonObject{{"type"_L1, "say"_L1}, {"room"_L1, "lobby"_L1}, {"text"_L1, "waves"_L1},
                                        {"action"_L1, true}}
                         << QString();
    QTest::newRow("/topic") << u"/topic Friday"_s
                            << QJsonObject{{"type"_L1, "topic"_L1}, {"room"_L1, "lobby"_L1}, {"topic"_L1, "Friday"_L1}}
                            << QString();
    QTest::newRow("/who") << u"/who"_s << QJsonObject{{"type"_L1, "who"_L1}, {"room"_L1, "lobby"_L1}} << QString();
    QTest::newRow("/nick") << u"/nick carol"_s << QJsonObject{{"type"_L1, "nick"_L1}, {"nick"_L1, "carol"_L1}}
                           << QString();
    QTest::newRow("/kick") << u"/kick dan spam"_s
                           << QJsonObject{{"type"_L1, "kick"_L1}, {"room"_L1, "lobby"_L1}, {"nick"_L1, "dan"_L1},
                                          {"reason"_L1, "spam"_L1}}
                           << QString();
    QTest::newRow("/away") << u"/away lunch"_s << QJsonObject{{"type"_L1, "away"_L1}, {"message"_L1, "lunch"_L1}}
                           << QString();
    QTest::newRow("/leave elsewhere") << u"/leave #nowhere"_s << QJsonObject() << u"You are not in nowhere"_s;
    QTest::newRow("unknown") << u"/frobnicate"_s << QJsonObject() << u"frobnicate"_s;
}

void TestCommandDispatcher::commandsBecomeRequests()
{
    QFETCH(QString, input);
    QFETCH(QJsonObject, request);
    QFETCH(QString, answer);

    Conversation *lobby = welcome(u"lobby"_s);
    m_server->take(u"ping"_s);
    QVERIFY(m_server->sent().isEmpty());
    m_session->submit(lobby, input);
    if (request.isEmpty()) {
        QVERIFY(m_server->sent().isEmpty());
    } else {
        QCOMPARE(m_server->sent().size(), 1);
        QJsonObject sent = m_server->sent().first();
        QVERIFY(sent.value("id"_L1).isDouble());
        sent.remove("id"_L1);
        QCOMPARE(sent, request);
    }
    if (!answer.isEmpty())
        QVERIFY(lobby->log()->entries().last().text.contains(answer));
}

QTEST_GUILESS_MAIN(TestCommandDispatcher)
#include "tst_commanddispatcher.moc"
