#include "permissions.h"

#include <QTest>

using R = Rank;
using A = Action;

Q_DECLARE_METATYPE(Rank)
Q_DECLARE_METATYPE(Action)

class TestPermissions : public QObject
{
    Q_OBJECT

private slots:
    void permits_data();
    void permits();
};

void TestPermissions::permits_data()
{
    QTest::addColumn<Action>("action");
    QTest::addColumn<Rank>("actor");
    QTest::addColumn<int>("target"); // -1: the action has none
    QTest::addColumn<bool>("inviteOnly");
    QTest::addColumn<bool>("allowed");

    const int none = -1;
    // Who may act at all.
    QTest::newRow("member claims") << A::Claim << R::Member << none << false << true;
    QTest::newRow("member kicks member") << A::Kick << R::Member << int(R::Member) << false << false;
    QTest::newRow("member sets mode") << A::SetMode << R::Member << none << false << false;
    QTest::newRow("member reads audit") << A::ReadAudit << R::Member << none << false << false;
    QTest::newRow("member invites, open room") << A::Invite << R::Member << none << false << true;
    QTest::newRow("member invites, invite-only") << A::Invite << R::Member << none << true << false;
    QTest::newRow("op invites, invite-only") << A::Invite << R::Op << none << true << true;
    QTest::newRow("op sets mode") << A::SetMode << R::Op << none << false << true;
    QTest::newRow("op reads audit") << A::ReadAudit << R::Op << none << false << true;
    QTest::newRow("op grants") << A::Grant << R::Op << int(R::Member) << false << false;
    QTest::newRow("owner grants op") << A::Grant << R::Owner << int(R::Member) << false << true;
    QTest::newRow("owner demotes op") << A::Grant << R::Owner << int(R::Op) << false << true;
    QTest::newRow("server operator grants") << A::Grant << R::ServerOperator << int(R::Op) << false << true;
    // Nobody acts on an equal or a higher rank.
    QTest::newRow("op kicks member") << A::Kick << R::Op << int(R::Member) << false << true;
    QTest::newRow("op kicks op") << A::Kick << R::Op << int(R::Op) << false << false;
    QTest::newRow("op bans owner") << A::Ban << R::Op << int(R::Owner) << false << false;
    QTest::newRow("op mutes member") << A::Mute << R::Op << int(R::Member) << false << true;
    QTest::newRow("op mutes op") << A::Mute << R::Op << int(R::Op) << false << false;
    QTest::newRow("owner kicks op") << A::Kick << R::Owner << int(R::Op) << false << true;
    QTest::newRow("owner bans member") << A::Ban << R::Owner << int(R::Member) << false << true;
    QTest::newRow("owner demotes owner") << A::Grant << R::Owner << int(R::Owner) << false << false;
    QTest::newRow("server operator kicks owner") << A::Kick << R::ServerOperator << int(R::Owner) << false << true;
    QTest::newRow("server operator mutes op") << A::Mute << R::ServerOperator << int(R::Op) << false << true;
    QTest::newRow("server operator kicks server operator")
            << A::Kick << R::ServerOperator << int(R::ServerOperator) << false << false;
    QTest::newRow("owner kicks server operator") << A::Kick << R::Owner << int(R::ServerOperator) << false << false;
}

void TestPermissions::permits()
{
    QFETCH(Action, action);
    QFETCH(Rank, actor);
    QFETCH(int, target);
    QFETCH(bool, inviteOnly);
    QFETCH(bool, allowed);
    const std::optional<Rank> targetRank = target < 0 ? std::nullopt : std::optional<Rank>(Rank(target));
    QCOMPARE(Permissions::permits(action, actor, targetRank, inviteOnly), allowed);
}

QTEST_APPLESS_MAIN(TestPermissions)
#include "tst_permissions.moc"
