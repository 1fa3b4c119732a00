#include "nickcolors.h"

#include "names.h"

#include <QCryptographicHash>

QColor nickColor(const QString &nick, bool darkBackground)
{
    const QByteArray digest = QCryptographicHash::hash(Confab::Protocol::nameKey(nick).toUtf8(),
                                                       QCryptographicHash::Sha1);
    const int hue = (quint8(digest[0]) << 8 | quint8(digest[1])) % 360;
    return QColor::fromHsl(hue, 160, darkBackground ? 170 : 90);
}
