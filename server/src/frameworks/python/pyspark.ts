/**
 * PySpark: functions given to RDD transformations and actions (`map`, `flatMap`, `filter`,
 * `foreach`, `foreachPartition`, `mapPartitions`, ...) and user-defined functions (`udf`,
 * `pandas_udf`, `spark.udf.register`) run in Python worker processes of the executors.
 * Their closures travel by value (cloudpickle) when the job runs: the driver's globals they
 * read are copies, and their writes (a global counter, an append) change the copies only.
 * Accumulators (`sc.accumulator`) and broadcast variables (`sc.broadcast`) are the channels.
 */
import type { PythonFramework } from './types';

/** what makes an RDD: `sc.parallelize(xs)`, `sc.textFile(p)`, `df.rdd` */
const RDD_SOURCES = [
  'parallelize', 'textFile', 'wholeTextFiles', 'binaryFiles', 'binaryRecords', 'pickleFile', 'sequenceFile',
  'hadoopFile', 'newAPIHadoopFile', 'hadoopRDD', 'newAPIHadoopRDD', 'emptyRDD', 'rdd',
];
/** RDD methods that return an RDD */
const RDD_PASS_THROUGH = [
  'cache', 'persist', 'unpersist', 'repartition', 'coalesce', 'partitionBy', 'union', 'intersection', 'subtract',
  'distinct', 'sample', 'zip', 'zipWithIndex', 'zipWithUniqueId', 'join', 'leftOuterJoin', 'rightOuterJoin',
  'fullOuterJoin', 'cogroup', 'groupByKey', 'sortByKey', 'keys', 'values', 'cartesian', 'glom', 'setName',
];

export const pyspark: PythonFramework = {
  doc: {
    id: 'pyspark',
    language: 'python',
    title: 'PySpark',
    runsInWorker: 'functions given to RDD methods (map, foreach, ...), DataFrame mapInPandas / mapInArrow / applyInPandas, and UDFs (udf, pandas_udf)',
    channels: ['accumulators (sc.accumulator)', 'broadcast variables (sc.broadcast)', 'what transformations return'],
    detected: ['module state the driver changes after shipping', 'module state executors write (lost counters, appends)'],
    fixtures: 'static',
    references: [
      'https://spark.apache.org/docs/latest/rdd-programming-guide.html#understanding-closures-',
      'https://spark.apache.org/docs/latest/rdd-programming-guide.html#shared-variables',
      'https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.functions.udf.html',
    ],
  },
  serializer: 'cloudpickle',
  channelFactories: { imports: ['pyspark'], methods: ['accumulator', 'broadcast'] },
  separateWorkers: true,
  workers: 'Spark executors\' Python workers',
  calls: [],
  remoteDecorators: [
    {
      names: ['pyspark.sql.functions.udf', 'pyspark.sql.functions.pandas_udf', 'pyspark.sql.pandas.functions.pandas_udf', 'pyspark.sql.udf.UserDefinedFunction'],
      system: 'pyspark', label: 'udf', submit: ['()'],
    },
  ],
  shippingMethods: [
    {
      imports: ['pyspark'],
      methods: [
        'map', 'flatMap', 'filter', 'foreach', 'foreachPartition', 'mapPartitions', 'mapPartitionsWithIndex',
        'mapValues', 'flatMapValues', 'reduce', 'reduceByKey', 'fold', 'foldByKey', 'aggregate', 'aggregateByKey',
        'combineByKey', 'groupBy', 'keyBy', 'sortBy', 'treeReduce', 'treeAggregate',
      ],
      task: { pos: 0, kw: 'f' },
      sources: RDD_SOURCES,
      passThrough: RDD_PASS_THROUGH,
      system: 'pyspark', label: 'rdd',
    },
    // DataFrame methods that run a Python function on the executors; the names are Spark's own
    { imports: ['pyspark'], methods: ['mapInPandas', 'mapInArrow', 'applyInPandas', 'applyInArrow', 'applyInPandasWithState', 'foreachBatch'], task: { pos: 0, kw: 'func' }, sources: [], anyReceiver: true, system: 'pyspark', label: 'DataFrame' },
    // spark.udf.register(name, f, returnType)
    { imports: ['pyspark'], methods: ['register'], task: { pos: 1, kw: 'f' }, sources: ['udf'], system: 'pyspark', label: 'spark.udf' },
  ],
};
