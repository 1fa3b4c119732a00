// SqlStore on a real PostgreSQL (started by the test in a temporary
// directory): the same behaviour as on SQLite, the numbers the database gives
// when several servers share it, and a connection lost and found again.

#include "backingservices.h"
#include "sqlstore.h"
#include "postgresstore.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Confab::Protocol::ChatMessage;
using Confab::Protocol::PrivateMessage;
using Confab::Protocol::Reaction;

namespace {

ChatMessage message(const QString &text, qint64 seq = 0)
{
    return ChatMessage{u"Lobby"_s, u"ann"_s, text, 1000 + seq, seq, std::nullopt, std::nullopt, std::nullopt,
                       std::nullopt, std::nullopt};
}

} // namespace

class TestPostgresStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void rejectsWhatIsNotADatabase_data();
    void rejectsWhatIsNotADatabase();
    void roundTrip();
    void moderationAndAccounts();
    void serversShareTheNumbers_data();
    void serversShareTheNumbers();
    void reconnectsAfterTheDatabaseReturns();
    void commitsOffTheEventLoop();
    void schemasAreTheSame();

private:
    std::unique_ptr<SqlStore> open();
    // A connection of the test's own to the test database (not opened).
    PostgresProcess m_postgres;
};

void TestPostgresStore::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.error()));
}

void TestPostgresStore::cleanup()
{
    // Each case starts from an empty database, migrated again.
    {
        QSqlDatabase db = m_postgres.connection(u"wipe"_s);
        QVERIFY(db.open());
        QSqlQuery wipe(db);
        QVERIFY(wipe.exec(u"SET client_min_messages = warning"_s));
        QVERIFY(wipe.exec(u"DROP SCHEMA public CASCADE"_s));
        QVERIFY(wipe.exec(u"CREATE SCHEMA public"_s));
    }
    QSqlDatabase::removeDatabase(u"wipe"_s);
}

std::unique_ptr<SqlStore> TestPostgresStore::open()
{
    QString error;
    auto store = SqlStore::open(m_postgres.url(), &error);
    if (!store)
        qWarning() << error;
    return store;
}

void TestPostgresStore::rejectsWhatIsNotADatabase_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("reason");
    QTest::newRow("no database name") << u"postgresql://confab@127.0.0.1:%1/"_s << u"is not a database URL"_s;
    QTest::newRow("nobody listening") << u"postgresql://confab@127.0.0.1:1/confab"_s << u"cannot open"_s;
    QTest::newRow("no such database") << u"postgresql://confab@127.0.0.1:%1/nothing"_s << u"cannot open"_s;
}

void TestPostgresStore::rejectsWhatIsNotADatabase()
{
    QFETCH(QString, url);
    QFETCH(QString, reason);
    QString error;
    const QString location = url.contains("%1"_L1) ? url.arg(m_postgres.port()) : url;
    QVERIFY(!SqlStore::open(location, &error));
    QVERIFY2(error.contains(reason), qPrintable(error));
}

void TestPostgresStore::roundTrip()
{
    QString error;
    {
        auto store = open();
        QVERIFY(store);
        QVERIFY(dynamic_cast<PostgresStore *>(store.get()));
        QVERIFY(!store->loadRoom(u"lobby"_s));
        for (int i = 1; i <= 3; ++i)
            store->appendMessage(u"lobby"_s, u"Lobby"_s, message(u"m%1"_s.arg(i), i), i == 2 ? u"ann"_s : QString());
        store->saveTopic(u"lobby"_s, u"Lobby"_s, u"welcome"_s);
        QVERIFY2(store->commit(&error), qPrintable(error));
        QCOMPARE(store->committedNumbers().messageSeqs, QList<qint64>({1, 2, 3}));

        ChatMessage edited = store->message(u"lobby"_s, u"Lobby"_s, 2)->message;
        edited.text = u"m2, fixed"_s;
        edited.edited = 5000;
        edited.reactions = QList<Reaction>{{u"\U0001F44D"_s, {u"bob"_s}, std::nullopt, std::nullopt}};
        store->updateMessage(u"lobby"_s, edited);
        QVERIFY2(store->commit(&error), qPrintable(error));
        QCOMPARE(store->committedNumbers().updateRevs, QList<qint64>({1}));
    }
    auto store = open();
    QVERIFY(store);
    const auto room = store->loadRoom(u"lobby"_s);
    QVERIFY(room);
    QCOMPARE(room->name, u"Lobby"_s);
    QCOMPARE(room->topic, u"welcome"_s);
    QCOMPARE(room->lastSeq, 3);
    QCOMPARE(room->lastRev, 1);
    QCOMPARE(store->message(u"lobby"_s, u"Lobby"_s, 2)->accountKey, u"ann"_s);
    const QList<ChatMessage> page = store->history(u"lobby"_s, u"Lobby"_s, {std::nullopt, qint64(1), 50, std::nullopt});
    QCOMPARE(page.size(), 2);
    QCOMPARE(page.at(0).text, u"m2, fixed"_s);
    QCOMPARE(page.at(0).edited, 5000);
    QCOMPARE(page.at(0).rev, 1);
    QCOMPARE(page.at(0).reactions->first().nicks, QStringList{u"bob"_s});
    // Untouched messages read back exactly as they were said.
    QCOMPARE(page.at(1), message(u"m3"_s, 3));
    QCOMPARE(store->lastSeqs({u"lobby"_s, u"nowhere"_s}).value(u"lobby"_s), 3);
    // Many rooms at once (more than one query's worth), each with its own.
    QList<QString> rooms;
    for (int i = 0; i < 250; ++i) {
        rooms.append(u"room%1"_s.arg(i));
        for (int n = 0; n <= i % 3; ++n)
            store->appendMessage(rooms.last(), rooms.last(), message(u"x"_s), QString());
    }
    QVERIFY2(store->commit(&error), qPrintable(error));
    const QHash<QString, qint64> lasts = store->lastSeqs(rooms + QList<QString>{u"nowhere"_s});
    QCOMPARE(lasts.size(), 250);
    for (int i = 0; i < 250; ++i)
        QCOMPARE(lasts.value(rooms.at(i)), i % 3 + 1);

    const QString pair = u"n:ann\nn:bob"_s;
    store->appendPrivate(pair, u"n:bob"_s, PrivateMessage{u"ann"_s, u"bob"_s, u"psst"_s, 2000, {}, 0, {}}, false);
    QVERIFY2(store->commit(&error), qPrintable(error));
    QCOMPARE(store->committedNumbers().privateSeqs, QList<qint64>({1}));
    const QList<PrivateMessage> waiting = store->takeWaiting(u"n:bob"_s, 10);
    QCOMPARE(waiting.size(), 1);
    QCOMPARE(waiting.first().text, u"psst"_s);
    QCOMPARE(store->takeWaiting(u"n:bob"_s, 10).size(), 0);
    QVERIFY(store->setReadMarker(u"ann"_s, u"#lobby"_s, 2));
    QVERIFY(store->setReadMarker(u"ann"_s, u"#lobby"_s, 3));
    QCOMPARE(store->readMarkers(u"ann"_s).value(u"#lobby"_s), 3);
}

void TestPostgresStore::moderationAndAccounts()
{
    QString error;
    auto store = open();
    QVERIFY(store);
    QVERIFY2(store->createAccount(u"ann"_s, {u"Ann"_s, "$y$hash", 1}, &error), qPrintable(error));
    QVERIFY(!store->createAccount(u"ann"_s, {u"ANN"_s, "$y$other", 2}, &error));
    QVERIFY(store->hasAccount(u"ann"_s));
    QVERIFY2(store->setPasswordHash(u"ann"_s, "$y$new", &error), qPrintable(error));
    QCOMPARE(store->loadAccount(u"ann"_s)->passwordHash, QByteArray("$y$new"));

    // Writing twice replaces: the upserts that SQLite and PostgreSQL share.
    QVERIFY(store->setRole(u"lobby"_s, u"ann"_s, Rank::Op, &error));
    QVERIFY(store->setRole(u"lobby"_s, u"ann"_s, Rank::Owner, &error));
    QCOMPARE(store->loadRoles(u"lobby"_s).value(u"ann"_s), Rank::Owner);
    // One owner a room: a claim of an owned room loses, and the database
    // refuses a second owner row whoever writes it.
    QCOMPARE(store->claimRoom(u"lobby"_s, u"bob"_s, &error), ModerationStore::ClaimOutcome::AlreadyOwned);
    QCOMPARE(store->claimRoom(u"den"_s, u"bob"_s, &error), ModerationStore::ClaimOutcome::Claimed);
    QCOMPARE(store->claimRoom(u"den"_s, u"ann"_s, &error), ModerationStore::ClaimOutcome::AlreadyOwned);
    QCOMPARE(store->loadRoles(u"den"_s), (QHash<QString, Rank>{{u"bob"_s, Rank::Owner}}));
    {
        QSqlDatabase other = m_postgres.connection(u"other"_s);
        QVERIFY(other.open());
        QSqlQuery second(other);
        QVERIFY(!second.exec(u"INSERT INTO room_roles (room_key, account_key, role) VALUES ('den', 'cy', 'owner')"_s));
    }
    QSqlDatabase::removeDatabase(u"other"_s);
    QVERIFY(store->putBan(u"lobby"_s, u"*!*@x"_s, {u"*!*@X"_s, u"ann"_s, u"spam"_s, std::nullopt}, &error));
    QVERIFY(store->putBan(u"lobby"_s, u"*!*@x"_s, {u"*!*@x"_s, u"ann"_s, u"more spam"_s, qint64(99)}, &error));
    QCOMPARE(store->loadBans(u"lobby"_s).size(), 1);
    QCOMPARE(store->loadBans(u"lobby"_s).first().reason, u"more spam"_s);
    QVERIFY(store->putMute(u"lobby"_s, {u"nick:bob"_s, u"ann"_s, QString(), std::nullopt}, &error));
    QVERIFY(store->putMute(u"lobby"_s, {u"nick:bob"_s, u"ann"_s, u"calm down"_s, qint64(5)}, &error));
    QCOMPARE(store->loadMutes(u"lobby"_s).first().untilMs, 5);
    QVERIFY(store->saveModes(u"lobby"_s, {true, u"k"_s, false}, &error));
    QVERIFY(store->saveModes(u"lobby"_s, {false, QString(), true}, &error));
    QCOMPARE(store->loadModes(u"lobby"_s).topicLocked, true);
    QCOMPARE(store->loadModes(u"lobby"_s).inviteOnly, false);
    QVERIFY(store->appendAudit(QString(), {10, u"ann"_s, u"sban"_s, std::nullopt, u"*!*@y"_s, QString()}, &error));
    QVERIFY(store->appendAudit(u"lobby"_s, {11, u"ann"_s, u"kick"_s, u"Lobby"_s, u"bob"_s, u"bye"_s}, &error));
    QCOMPARE(store->audit(std::nullopt, std::nullopt, 10).size(), 2);
    QCOMPARE(store->audit(u"lobby"_s, std::nullopt, 10).first().reason, u"bye"_s);
}

void TestPostgresStore::serversShareTheNumbers_data()
{
    QTest::addColumn<int>("rounds");
    QTest::newRow("one message each") << 1;
    QTest::newRow("interleaved batches") << 20;
}

void TestPostgresStore::serversShareTheNumbers()
{
    // Two servers on one database, committing in turns into the same room:
    // every message gets its own seq, none is skipped.
    QFETCH(int, rounds);
    auto one = open();
    auto two = open();
    QVERIFY(one && two);
    QString error;
    QList<qint64> given;
    for (int round = 0; round < rounds; ++round) {
        for (SqlStore *store : {one.get(), two.get()}) {
            for (int i = 0; i <= round % 3; ++i)
                store->appendMessage(u"lobby"_s, u"Lobby"_s, message(u"r%1"_s.arg(round)), QString());
            QVERIFY2(store->commit(&error), qPrintable(error));
            given += store->committedNumbers().messageSeqs;
        }
    }
    QList<qint64> expected;
    for (qint64 seq = 1; seq <= given.size(); ++seq)
        expected.append(seq);
    QCOMPARE(given, expected);
    QCOMPARE(two->loadRoom(u"lobby"_s)->lastSeq, given.size());
}

void TestPostgresStore::reconnectsAfterTheDatabaseReturns()
{
    auto store = open();
    QVERIFY(store);
    QString error;
    store->appendMessage(u"lobby"_s, u"Lobby"_s, message(u"before"_s), QString());
    QVERIFY2(store->commit(&error), qPrintable(error));

    QVERIFY2(m_postgres.stop(), qPrintable(m_postgres.error()));
    store->appendMessage(u"lobby"_s, u"Lobby"_s, message(u"while down"_s), QString());
    QVERIFY(!store->commit(&error));
    QVERIFY(!error.isEmpty());
    QVERIFY(store->committedNumbers().messageSeqs.isEmpty());

    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.error()));
    store->appendMessage(u"lobby"_s, u"Lobby"_s, message(u"after"_s), QString());
    QVERIFY2(store->commit(&error), qPrintable(error));
    // What failed was never stored and took no number.
    QCOMPARE(store->committedNumbers().messageSeqs, QList<qint64>({2}));
    const QList<ChatMessage> page = store->history(u"lobby"_s, u"Lobby"_s, {std::nullopt, std::nullopt, 50, std::nullopt});
    QCOMPARE(page.size(), 2);
    QCOMPARE(page.at(1).text, u"after"_s);
}

void TestPostgresStore::commitsOffTheEventLoop()
{
    auto store = open();
    QVERIFY(store);
    QVERIFY(store->commitsInBackground());
    QString error;
    store->appendMessage(u"lobby"_s, u"Lobby"_s, message(u"first"_s), QString());
    QVERIFY2(store->commit(&error), qPrintable(error));

    // Another session holds the room's counter, so the next commit has to
    // wait for it; startCommit() must return meanwhile (run here, on this
    // thread, it never would).
    {
        QSqlDatabase blocker = m_postgres.connection(u"blocker"_s);
        QVERIFY(blocker.open());
        QVERIFY(blocker.transaction());
        QSqlQuery lock(blocker);
        QVERIFY(lock.exec(u"SELECT last_seq FROM rooms WHERE key = 'lobby' FOR UPDATE"_s));

        store->appendMessage(u"lobby"_s, u"Lobby"_s, message(u"second"_s), QString());
        QObject context;
        std::optional<QList<qint64>> seqs;
        store->startCommit(&context, [&](bool stored, const QString &why, const MessageStore::Numbers &numbers) {
            QVERIFY2(stored, qPrintable(why));
            seqs = numbers.messageSeqs;
        });
        QVERIFY(!seqs);
        // A page read on the commit thread comes after that commit, and
        // the store's methods called there use that thread's connection.
        std::optional<QList<ChatMessage>> page;
        QList<ChatMessage> read;
        store->offload(
                &context,
                [&] {
                    read = store->history(u"lobby"_s, u"Lobby"_s, {std::nullopt, std::nullopt, 50, std::nullopt});
                },
                [&] {
                    QVERIFY(seqs.has_value());
                    page = read;
                });
        // The store still reads on its own connection meanwhile.
        QCOMPARE(store->loadRoom(u"lobby"_s)->lastSeq, 1);
        QVERIFY(!seqs);
        QVERIFY(!page);
        lock.finish();
        QVERIFY(blocker.commit());
        QTRY_VERIFY_WITH_TIMEOUT(page.has_value(), 10'000);
        QCOMPARE(*seqs, QList<qint64>({2}));
        QCOMPARE(page->size(), 2);
        QCOMPARE(page->last().text, u"second"_s);

        // finishCommit() waits for a commit and reports it at once.
        store->appendMessage(u"lobby"_s, u"Lobby"_s, message(u"third"_s), QString());
        seqs.reset();
        store->startCommit(&context, [&](bool, const QString &, const MessageStore::Numbers &numbers) {
            seqs = numbers.messageSeqs;
        });
        store->finishCommit();
        QVERIFY(seqs.has_value());
        QCOMPARE(*seqs, QList<qint64>({3}));
        store->waitForReads(); // before `context` goes
    }
    QSqlDatabase::removeDatabase(u"blocker"_s);
}

// The two engines' schemas are written twice (storage/sql/ and
// storage/sql/postgres/): once migrated, both have the same tables with the
// same columns, so that the same SQL runs on either.
void TestPostgresStore::schemasAreTheSame()
{
    QTemporaryDir dir;
    const QString sqliteFile = dir.filePath(u"schema.db"_s);
    {
        QString error;
        QVERIFY2(SqlStore::open(sqliteFile, &error), qPrintable(error));
        QVERIFY(open());
    }
    QMap<QString, QStringList> sqlite;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"schema-sqlite"_s);
        db.setDatabaseName(sqliteFile);
        QVERIFY(db.open());
        QSqlQuery tables(db);
        QVERIFY(tables.exec(u"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"_s));
        QStringList names;
        while (tables.next())
            names << tables.value(0).toString();
        for (const QString &table : std::as_const(names)) {
            QSqlQuery columns(db);
            QVERIFY(columns.exec(u"SELECT name FROM pragma_table_info('%1')"_s.arg(table)));
            while (columns.next())
                sqlite[table] << columns.value(0).toString();
            sqlite[table].sort();
        }
    }
    QSqlDatabase::removeDatabase(u"schema-sqlite"_s);
    QMap<QString, QStringList> postgres;
    {
        QSqlDatabase db = m_postgres.connection(u"schema-postgres"_s);
        QVERIFY(db.open());
        QSqlQuery columns(db);
        QVERIFY(columns.exec(u"SELECT table_name, column_name FROM information_schema.columns "
                             "WHERE table_schema = 'public'"_s));
        while (columns.next())
            postgres[columns.value(0).toString()] << columns.value(1).toString();
        for (QStringList &names : postgres)
            names.sort();
    }
    QSqlDatabase::removeDatabase(u"schema-postgres"_s);
    // What each engine keeps for itself: SQLite's version is a PRAGMA,
    // PostgreSQL's a table; PostgreSQL numbers messages and changes at the
    // commit, from counters of each room and private conversation (SQLite
    // numbers them in memory, from MAX(seq) at start).
    postgres.remove(u"confab_schema"_s);
    postgres.remove(u"private_pairs"_s);
    postgres[u"rooms"_s].removeAll(u"last_seq"_s);
    postgres[u"rooms"_s].removeAll(u"last_rev"_s);
    QVERIFY(!sqlite.isEmpty());
    QStringList differences;
    for (auto it = sqlite.cbegin(); it != sqlite.cend(); ++it) {
        if (postgres.value(it.key()) != it.value())
            differences << u"%1: SQLite (%2), PostgreSQL (%3)"_s.arg(it.key(), it.value().join(u", "_s),
                                                                     postgres.value(it.key()).join(u", "_s));
    }
    for (auto it = postgres.cbegin(); it != postgres.cend(); ++it) {
        if (!sqlite.contains(it.key()))
            differences << u"%1: PostgreSQL only"_s.arg(it.key());
    }
    QVERIFY2(differences.isEmpty(), qPrintable(differences.join(u"; "_s)));
}

QTEST_GUILESS_MAIN(TestPostgresStore)
#include "tst_postgresstore.moc"
