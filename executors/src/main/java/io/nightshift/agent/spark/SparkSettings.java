package io.nightshift.agent.spark;

import io.nightshift.api.config.Setting;
import java.util.List;

/** The agent's settings for spark and hadoop jobs. */
public final class SparkSettings {
    private SparkSettings() {
    }

    public static final Setting<String> HOMES = Setting.string("agent.spark.homes", "",
            "Spark homes this agent runs spark jobs with, as version=path pairs separated by commas (e.g. "
                    + "4.0.1=/opt/spark-4.0.1); the first is the default for a job without sparkVersion. Each needs an "
                    + "executable bin/spark-submit. Empty: this agent runs no spark jobs.");
    public static final Setting<String> JAVA_HOME = Setting.string("agent.spark.java-home", null,
            "JDK of Spark drivers and Hadoop drivers (Spark 4.0 and Hadoop 3.4 need Java 17 or 21); default the agent's own.");
    public static final Setting<String> HADOOP_CLASSPATH = Setting.string("agent.hadoop.classpath", null,
            "Classpath of hadoop jobs' drivers (the Hadoop client jars; entries separated by ':', 'dir/*' for every jar "
                    + "of a directory); default the jars of the default Spark home, which carry Hadoop's client. Empty "
                    + "and no Spark home: this agent runs no hadoop jobs.");
    public static final Setting<String> HADOOP_CONF_DIR = Setting.string("agent.hadoop.conf-dir", null,
            "Hadoop configuration directory (core-site.xml, mapred-site.xml, yarn-site.xml) given to hadoop and spark "
                    + "drivers as HADOOP_CONF_DIR; default none (the local job runner, file systems named in URIs).");

    public static final List<Setting<?>> ALL = List.of(HOMES, JAVA_HOME, HADOOP_CLASSPATH, HADOOP_CONF_DIR);
}
