import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// The dashboard window. GuiShell sets `dashboard` (a DashboardModel), `jobs` (a JobsModel),
// `libraries` (a LibrariesModel) and `tasks` (a TasksModel) as initial properties and shows the window; closing it only hides it while the tray icon is there.
ApplicationWindow {
    id: window

    required property var dashboard
    required property var jobs
    required property var libraries
    required property var tasks

    width: 1120
    height: 760
    minimumWidth: 760
    minimumHeight: 520
    visible: false
    title: qsTr("Revenge — Dashboard")
    color: "#f2f4f7"

    header: HeaderBar {
        dashboard: window.dashboard
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        Rectangle {
            Layout.fillWidth: true
            implicitHeight: tabs.implicitHeight
            color: "#ffffff"

            TabBar {
                id: tabs
                objectName: "tabs"
                anchors.left: parent.left
                anchors.leftMargin: 16
                background: null

                Repeater {
                    model: [qsTr("Health"), qsTr("Services"), qsTr("Queues"), qsTr("Libraries"), qsTr("Tasks")]

                    TabButton {
                        id: tab
                        required property string modelData
                        required property int index
                        text: modelData
                        width: implicitWidth + 24
                        contentItem: Text {
                            text: tab.text
                            font.pixelSize: 14
                            font.bold: tab.checked
                            color: tab.checked ? "#1f2633" : "#6b7280"
                            horizontalAlignment: Text.AlignHCenter
                            verticalAlignment: Text.AlignVCenter
                        }
                        background: Rectangle {
                            color: "transparent"
                            Rectangle {
                                anchors.bottom: parent.bottom
                                width: parent.width
                                height: 3
                                color: tab.checked ? "#4a6cf0" : "transparent"
                            }
                        }
                    }
                }
            }

            Rectangle {
                anchors.bottom: parent.bottom
                width: parent.width
                height: 1
                color: "#e1e5eb"
            }
        }

        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: tabs.currentIndex

            HealthPage {
                dashboard: window.dashboard
            }
            ServicesPage {
                dashboard: window.dashboard
            }
            QueuesPage {
                jobs: window.jobs
            }
            LibrariesPage {
                libraries: window.libraries
            }
            TasksPage {
                tasks: window.tasks
            }
        }
    }
}
