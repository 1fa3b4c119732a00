#include "permissions.h"

namespace Permissions {

namespace {

Rank needed(Action action, bool inviteOnly)
{
    switch (action) {
    case Action::Claim:
        return Rank::Member;
    case Action::Grant:
        return Rank::Owner;
    case Action::Invite:
        return inviteOnly ? Rank::Op : Rank::Member;
    case Action::Kick:
    case Action::Ban:
    case Action::Mute:
    case Action::SetMode:
    case Action::ReadAudit:
        return Rank::Op;
    }
    return Rank::ServerOperator;
}

} // namespace

bool permits(Action action, Rank actor, std::optional<Rank> target, bool inviteOnly)
{
    if (actor < needed(action, inviteOnly))
        return false;
    return !target || actor > *target;
}

} // namespace Permissions
