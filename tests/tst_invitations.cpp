// Invitations (server/features/invitations.h): kept by room and user key,
// found by any of a user's keys, used up by joining.

#include "invitations.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestInvitations : public QObject
{
    Q_OBJECT

private slots:
    void has_data();
    void has();
    void usedUpByJoining();
};

void TestInvitations::has_data()
{
    QTest::addColumn<QString>("invited"); // the key invited to "den"
    QTest::addColumn<QString>("room");
    QTest::addColumn<QStringList>("keys"); // the joining user's keys
    QTest::addColumn<bool>("expected");

    const QStringList alice{u"account:alice"_s, u"nick:ali"_s};
    QTest::newRow("by account") << u"account:alice"_s << u"den"_s << alice << true;
    QTest::newRow("by nick") << u"nick:ali"_s << u"den"_s << alice << true;
    QTest::newRow("someone else") << u"nick:bob"_s << u"den"_s << alice << false;
    QTest::newRow("another room") << u"account:alice"_s << u"lab"_s << alice << false;
    QTest::newRow("a guest's nick only") << u"account:ali"_s << u"den"_s << QStringList{u"nick:ali"_s} << false;
}

void TestInvitations::has()
{
    QFETCH(QString, invited);
    QFETCH(QString, room);
    QFETCH(QStringList, keys);
    QFETCH(bool, expected);

    Invitations invitations;
    invitations.add(u"den"_s, invited);
    QCOMPARE(invitations.has(room, keys), expected);
}

void TestInvitations::usedUpByJoining()
{
    Invitations invitations;
    invitations.add(u"den"_s, u"account:alice"_s);
    invitations.add(u"den"_s, u"nick:alice"_s);
    invitations.add(u"den"_s, u"nick:bob"_s);
    invitations.use(u"den"_s, {u"account:alice"_s, u"nick:alice"_s});
    QVERIFY(!invitations.has(u"den"_s, {u"account:alice"_s, u"nick:alice"_s}));
    QVERIFY(invitations.has(u"den"_s, {u"nick:bob"_s}));
    QCOMPARE(invitations.roomCount(), 1);
    invitations.use(u"den"_s, {u"nick:bob"_s});
    QCOMPARE(invitations.roomCount(), 0); // nothing kept for a room nobody is invited to
}

QTEST_GUILESS_MAIN(TestInvitations)
#include "tst_invitations.moc"
