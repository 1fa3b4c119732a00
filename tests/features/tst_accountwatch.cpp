// features/accountwatch.cpp in-process (docs/protocol.md section 12, "the
// operator may also rename or delete an account"): a change made by the
// account tool on another connection to the database puts out whoever is
// logged in to that account, within seconds, and nobody else.

#include "inprocesschat.h"

#include "accountrecords.h"
#include "sqlstore.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace InProcess;

class TestAccountWatch : public QObject
{
    Q_OBJECT

private slots:
    void changeFromTheShell_data();
    void changeFromTheShell();
};

void TestAccountWatch::changeFromTheShell_data()
{
    QTest::addColumn<bool>("rename");
    QTest::newRow("deleted") << false;
    QTest::newRow("renamed") << true;
}

void TestAccountWatch::changeFromTheShell()
{
    QFETCH(bool, rename);

    InProcessChat chat;
    QVERIFY2(chat.isReady(), qPrintable(chat.error()));
    auto alice = chat.account(u"alice"_s, Password);
    auto bob = chat.account(u"bob"_s, Password);
    auto guest = chat.member(u"carol"_s, {u"lobby"_s});
    QVERIFY(alice && bob && guest);

    // The account tool: its own connection to the same database.
    QString error;
    const std::unique_ptr<SqlStore> shell = SqlStore::open(chat.databasePath(), &error);
    QVERIFY2(shell, qPrintable(error));
    AccountRecords records(shell->connection(), false);
    const bool changed = rename ? records.rename(u"alice"_s, u"alicia"_s, &error)
                                : records.remove(u"alice"_s, QDateTime::currentMSecsSinceEpoch(), &error);
    QVERIFY2(changed, qPrintable(error));

    const QJsonObject closing = alice->waitFor(u"closing"_s, 10'000);
    QCOMPARE(closing.value("reason"_L1).toString(),
             u"the account alice was renamed or deleted by the server's operator"_s);
    QTRY_VERIFY(!alice->isConnected());
    // Nobody else is put out.
    QVERIFY(bob->isConnected());
    QVERIFY(guest->isConnected());
    QCOMPARE(outcome(bob->ask({{"type"_L1, "ping"_L1}})), u"pong"_s);

    auto again = chat.connect();
    QCOMPARE(outcome(again->ask(login(u"alice"_s, u"alice"_s), 20'000)), u"login_failed"_s);
    if (rename) {
        // The same password, under the new name.
        QCOMPARE(outcome(again->ask(login(u"alicia"_s, u"alicia"_s), 20'000)), u"welcome"_s);
    } else {
        // A deleted account's name is free for anyone.
        QCOMPARE(outcome(again->ask({{"type"_L1, "hello"_L1}, {"nick"_L1, "alice"_L1}})), u"welcome"_s);
    }
}

QTEST_GUILESS_MAIN(TestAccountWatch)
#include "tst_accountwatch.moc"
