import QtQuick

// A compact "label count" pill for one job state of a queue; dimmed when the count is zero.
Rectangle {
    id: chip

    property string label
    property var count: 0
    property color tone: "#6b7280"

    readonly property bool zero: Number(count) === 0

    implicitWidth: row.implicitWidth + 18
    implicitHeight: 24
    radius: height / 2
    color: zero ? "#f7f8fa" : Qt.rgba(tone.r, tone.g, tone.b, 0.11)
    border.color: zero ? "#eef0f4" : Qt.rgba(tone.r, tone.g, tone.b, 0.40)

    Row {
        id: row
        anchors.centerIn: parent
        spacing: 6

        Text {
            anchors.verticalCenter: parent.verticalCenter
            text: chip.label
            font.pixelSize: 12
            color: chip.zero ? "#9aa3b2" : Qt.darker(chip.tone, 1.3)
        }
        Text {
            anchors.verticalCenter: parent.verticalCenter
            text: Number(chip.count).toLocaleString(Qt.locale(), "f", 0)
            font.pixelSize: 12
            font.bold: true
            color: chip.zero ? "#9aa3b2" : Qt.darker(chip.tone, 1.3)
        }
    }
}
