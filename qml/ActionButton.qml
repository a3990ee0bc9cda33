import QtQuick
import QtQuick.Controls.Basic

// A small outlined button for the actions on the Queues page (Pause, Resume, Retry, Cancel…).
// `busy` disables it while its action runs on the worker thread.
Button {
    id: control

    property color tone: "#4a6cf0"
    property bool busy: false

    enabled: !busy
    hoverEnabled: true
    // As wide busy as idle, so that the row around it does not shift.
    implicitWidth: Math.max(72, Math.ceil(Math.max(idleMetrics.advanceWidth, busyMetrics.advanceWidth)) + leftPadding + rightPadding)
    implicitHeight: 28
    leftPadding: 12
    rightPadding: 12
    font.pixelSize: 12

    TextMetrics {
        id: idleMetrics
        font.pixelSize: control.font.pixelSize
        font.bold: true
        text: control.text
    }
    TextMetrics {
        id: busyMetrics
        font.pixelSize: control.font.pixelSize
        font.bold: true
        text: qsTr("Working…")
    }

    contentItem: Text {
        text: control.busy ? busyMetrics.text : control.text
        font.pixelSize: control.font.pixelSize
        font.bold: true
        color: control.enabled ? Qt.darker(control.tone, 1.15) : "#9aa3b2"
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
    background: Rectangle {
        radius: 6
        color: !control.enabled ? "#f7f8fa"
             : control.down ? Qt.rgba(control.tone.r, control.tone.g, control.tone.b, 0.22)
             : control.hovered ? Qt.rgba(control.tone.r, control.tone.g, control.tone.b, 0.10)
             : "#ffffff"
        border.color: control.enabled ? Qt.rgba(control.tone.r, control.tone.g, control.tone.b, 0.55) : "#e1e5eb"
    }
}
