import QtQuick

// A job's queue, as a small grey tag next to the job.
Rectangle {
    id: tag

    property string name

    visible: name.length > 0
    implicitWidth: label.implicitWidth + 12
    implicitHeight: 20
    radius: 4
    color: "#f1f3f6"
    border.color: "#e1e5eb"

    Text {
        id: label
        anchors.centerIn: parent
        text: tag.name
        font.pixelSize: 11
        color: "#4b5563"
    }
}
