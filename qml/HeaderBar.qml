import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// The window header: the overall status, the server URL and when health was last checked.
Rectangle {
    id: bar

    required property var dashboard

    implicitHeight: 76
    color: "#1f2633"

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 20
        anchors.rightMargin: 20
        spacing: 16

        Image {
            Layout.preferredWidth: 40
            Layout.preferredHeight: 40
            source: "qrc:/icons/tray-" + bar.dashboard.overallStatus + ".png"
            sourceSize.width: 80
            sourceSize.height: 80
            smooth: true
        }

        ColumnLayout {
            spacing: 2
            Text {
                text: qsTr("Revenge")
                color: "#ffffff"
                font.pixelSize: 22
                font.bold: true
            }
            Text {
                text: qsTr("Media server %1").arg(bar.dashboard.version)
                color: "#9aa3b2"
                font.pixelSize: 12
            }
        }

        StatusBadge {
            Layout.leftMargin: 12
            large: true
            status: bar.dashboard.overallStatus
            color: Qt.rgba(tone.r, tone.g, tone.b, 0.22)
            border.color: tone
            textColor: Qt.lighter(tone, 1.45)
        }

        Item {
            Layout.fillWidth: true
        }

        ColumnLayout {
            spacing: 4
            Layout.alignment: Qt.AlignVCenter

            RowLayout {
                spacing: 8
                Layout.alignment: Qt.AlignRight

                Text {
                    text: qsTr("Server")
                    color: "#9aa3b2"
                    font.pixelSize: 12
                }
                Text {
                    id: url
                    text: bar.dashboard.serverUrl
                    color: urlArea.containsMouse ? "#c7d4ff" : "#8fb0ff"
                    font.pixelSize: 15
                    font.underline: urlArea.containsMouse
                    MouseArea {
                        id: urlArea
                        anchors.fill: parent
                        hoverEnabled: true
                        cursorShape: Qt.PointingHandCursor
                        onClicked: bar.dashboard.openServerUrl()
                    }
                }
                Button {
                    id: copyButton
                    property bool copied: false
                    text: copied ? qsTr("Copied") : qsTr("Copy")
                    implicitHeight: 26
                    font.pixelSize: 12
                    onClicked: {
                        bar.dashboard.copyToClipboard(bar.dashboard.serverUrl);
                        copied = true;
                        copiedTimer.restart();
                    }
                    contentItem: Text {
                        text: copyButton.text
                        font: copyButton.font
                        color: "#ffffff"
                        horizontalAlignment: Text.AlignHCenter
                        verticalAlignment: Text.AlignVCenter
                    }
                    background: Rectangle {
                        radius: 5
                        color: copyButton.down ? "#3b4558" : copyButton.hovered ? "#343d4f" : "#2b3342"
                        border.color: "#465066"
                    }
                    Timer {
                        id: copiedTimer
                        interval: 1500
                        onTriggered: copyButton.copied = false
                    }
                }
            }
            Text {
                Layout.alignment: Qt.AlignRight
                text: isNaN(bar.dashboard.lastChecked)
                      ? qsTr("Waiting for the first health check…")
                      : qsTr("Last checked %1").arg(Qt.formatTime(bar.dashboard.lastChecked, "hh:mm:ss"))
                color: "#9aa3b2"
                font.pixelSize: 12
            }
        }
    }
}
