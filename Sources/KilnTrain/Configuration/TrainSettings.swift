import KilnData

/// Everything a training run can be told, from command-line options or a settings file
/// (YAML or JSON, same keys: `model`, `epochs`, `batch_size`, `lr`, …, and a `data` section).
public struct TrainSettings: Equatable, Sendable {
    /// Classes or values (regression, CSV data only).
    public var task = TaskChoice.classification
    public var model = ModelChoice.cnn
    /// The MLP's architecture when `model` is `mlp`; nil for the reference MLP.
    public var mlp: MLPArchitecture?
    /// The CNN's architecture when `model` is `cnn`; nil for the reference CNN.
    public var cnn: CNNArchitecture?
    public var epochs = 14
    public var batchSize = 128
    public var lr = 2e-3
    public var weightDecay = 0.01
    public var loss = LossChoice.crossEntropy
    /// Label smoothing of the training loss (PyTorch's `label_smoothing`), for cross-entropy only;
    /// nil for the loss's default, ``defaultLabelSmoothing``. Evaluation uses none.
    public var labelSmoothing: Double?
    /// How each batch's per-sample training losses are combined: their mean, or a loss-based reweighting.
    public var sampleWeighting = SampleWeightingChoice.none
    public var optimizer = OptimizerChoice.adamw
    /// Whether the optimizer steps along gradients made orthogonal to their weights (``OrthoGrad``, ⊥Grad).
    public var orthogonalGradients = false
    public var schedule = ScheduleChoice.cosine
    /// Weight decay following a schedule (a named one sized to the run with `weightDecay` as its
    /// peak, or a spec); nil keeps it constant.
    public var weightDecaySchedule: ScheduleChoice?
    /// Label smoothing following a schedule, as ``weightDecaySchedule``; nil keeps it constant.
    public var labelSmoothingSchedule: ScheduleChoice?
    /// The largest global gradient norm a step applies (PyTorch's `clip_grad_norm_`); nil: no clipping.
    public var maxGradNorm: Double?
    /// Batches whose mean gradient makes one optimizer step (``Trainer/accumulationSteps``): an
    /// effective batch of `batchSize × gradientAccumulation` examples. Schedules count steps.
    public var gradientAccumulation = 1
    /// Groups of parameters with their own weight decay or learning-rate scale, chosen by name
    /// pattern or rank; parameters none chooses keep the optimizer's settings.
    public var parameterGroups: [ParameterGroupSettings] = []
    /// Steps summed up by each step record of the metrics log (mean loss and gradient norm).
    public var logEvery = 10
    public var activation = ActivationChoice.relu
    /// Training-time augmentation of image data.
    public var augment = AugmentationChoice.flip
    /// Whether evaluation averages each test image's outputs with its mirror's (image data only).
    public var testTimeFlip = true
    public var seed = 0
    /// Epochs without a lower validation loss after which training stops (needs
    /// `data.validation_fraction`); nil trains every epoch.
    public var earlyStoppingPatience: Int?
    /// With early stopping, whether the run ends with the weights of its epoch of lowest
    /// validation loss (Keras' `restore_best_weights`) rather than those of its last epoch.
    public var restoreBestWeights = true
    public var threads: Int?
    public var out = "runs"
    public var name: String?
    /// Where examples come from: Fashion-MNIST by default, or a CSV file.
    public var data: DataSettings?

    /// A CSV data source: feature columns and a label column, split into train and test
    /// (``TabularEncoding`` says how columns become inputs).
    public struct DataSettings: Equatable, Sendable {
        public var path: String
        public var labelColumn: String
        /// The fraction of rows held out for testing: drawn at random (seeded by `seed`) from
        /// each class in proportion.
        public var testFraction = 0.2
        /// A separate test file, instead of `testFraction`.
        public var testPath: String?
        /// The fraction of the training rows held out, the same way, as a validation split (0: none): its
        /// loss and main metric are logged each epoch, and early stopping watches it.
        public var validationFraction = 0.0
        /// What a feature column holding text does.
        public var categorical = CategoricalColumns.onehot
        /// What a missing feature value does.
        public var missing = MissingValues.median

        /// A CSV source at `path` whose target is `labelColumn`, with the defaults of a `data` section.
        public init(path: String, labelColumn: String, testFraction: Double = 0.2, testPath: String? = nil,
                    validationFraction: Double = 0, categorical: CategoricalColumns = .onehot, missing: MissingValues = .median) {
            self.path = path
            self.labelColumn = labelColumn
            self.testFraction = testFraction
            self.testPath = testPath
            self.validationFraction = validationFraction
            self.categorical = categorical
            self.missing = missing
        }

        /// The keys of a `data` section.
        enum Key: String, CaseIterable, CodingKey {
            case path, labelColumn = "label_column", testFraction = "test_fraction", testPath = "test_path",
                 validationFraction = "validation_fraction", categorical, missing
        }
    }

    /// The keys of a settings file, one per setting.
    enum Key: String, CaseIterable, CodingKey {
        case task, model, mlp, cnn, epochs, batchSize = "batch_size", lr, weightDecay = "weight_decay", loss, labelSmoothing = "label_smoothing",
             sampleWeighting = "sample_weighting",
             optimizer, orthogonalGradients = "orthogonal_gradients", schedule, weightDecaySchedule = "weight_decay_schedule", labelSmoothingSchedule = "label_smoothing_schedule",
             logEvery = "log_every", maxGradNorm = "max_grad_norm", gradientAccumulation = "gradient_accumulation",
             parameterGroups = "parameter_groups", activation, augment, testTimeFlip = "test_time_flip", seed,
             earlyStoppingPatience = "early_stopping_patience", restoreBestWeights = "restore_best_weights", threads, out, name, data
    }

    /// The default settings: the reference CNN on Fashion-MNIST, trained with AdamW and a cosine schedule.
    public init() {}

    /// The most epochs a run may ask for.
    public static let epochRange = 1...100_000
    /// The largest batch a run may ask for.
    public static let batchSizeRange = 1...(1 << 20)
    /// The longest interval of a step record.
    public static let logEveryRange = 1...1_000_000
    /// The most batches one optimizer step may gather.
    public static let gradientAccumulationRange = 1...65_536
    /// The label smoothing of cross-entropy when the settings give none.
    public static let defaultLabelSmoothing = 0.1

    /// The label smoothing the training loss applies: ``labelSmoothing``, else
    /// ``defaultLabelSmoothing`` for cross-entropy and none for the other losses, which take none.
    public var appliedLabelSmoothing: Double { labelSmoothing ?? (loss == .crossEntropy ? Self.defaultLabelSmoothing : 0) }

    /// One clear line for the first value out of range, or nil. Settings from a file and from the
    /// command line both pass through here before a run starts (names of choices are checked when
    /// they are read).
    public func problem() -> String? {
        if mlp != nil && model != .mlp { return "an mlp section describes the mlp model, but model is \(model.rawValue)" }
        if cnn != nil && model != .cnn { return "a cnn section describes the cnn model, but model is \(model.rawValue)" }
        if let problem = mlp?.problem() ?? cnn?.problem() { return problem }
        if !Self.epochRange.contains(epochs) { return "epochs must be from 1 to \(Self.epochRange.upperBound), got \(epochs)" }
        if !Self.batchSizeRange.contains(batchSize) { return "batch size must be from 1 to \(Self.batchSizeRange.upperBound), got \(batchSize)" }
        if !(lr > 0 && lr.isFinite) { return "learning rate must be positive and finite, got \(lr)" }
        if !(weightDecay >= 0 && weightDecay.isFinite) { return "weight decay must be non-negative and finite, got \(weightDecay)" }
        if let labelSmoothing, !(labelSmoothing >= 0 && labelSmoothing < 1) { return "label smoothing must be in [0, 1), got \(labelSmoothing)" }
        if loss != .crossEntropy && ((labelSmoothing ?? 0) > 0 || labelSmoothingSchedule != nil) {
            return "label smoothing applies to loss cross_entropy only, not \(loss); leave out label_smoothing and its schedule"
        }
        if !Self.logEveryRange.contains(logEvery) { return "log_every must be from 1 to \(Self.logEveryRange.upperBound), got \(logEvery)" }
        if let maxGradNorm, !(maxGradNorm > 0 && maxGradNorm.isFinite) { return "max_grad_norm must be positive and finite, got \(maxGradNorm)" }
        if !Self.gradientAccumulationRange.contains(gradientAccumulation) {
            return "gradient_accumulation must be from 1 to \(Self.gradientAccumulationRange.upperBound), got \(gradientAccumulation)"
        }
        if parameterGroups.count > ParameterGroupSettings.maximumGroups {
            return "parameter_groups lists \(parameterGroups.count) groups, more than \(ParameterGroupSettings.maximumGroups)"
        }
        for (i, group) in parameterGroups.enumerated() {
            if let problem = group.problem(place: "parameter_groups[\(i)]") { return problem }
        }
        if seed < 0 { return "seed must be non-negative, got \(seed)" }
        if let patience = earlyStoppingPatience {
            if patience < 1 { return "early_stopping_patience must be at least 1, got \(patience)" }
            if (data?.validationFraction ?? 0) == 0 { return "early_stopping_patience needs a validation split: set data.validation_fraction" }
        }
        if task == .regression && data == nil { return "task regression needs CSV data (a data section)" }
        if loss.isRegression != (task == .regression) {
            return "loss \(loss) does not fit task \(task); use " + (task == .regression ? "loss mse or huber" : "loss cross_entropy or a metric loss such as f1")
        }
        if sampleWeighting != .none && !loss.isPerSample {
            return "sample_weighting \(sampleWeighting) needs a loss of per-sample losses (cross_entropy, mse or huber), not \(loss)"
        }
        if let threads {
            do { try RunLimits.check(threads: threads) } catch { return error.description }
        }
        if out.isEmpty { return "out must name a folder" }
        if let name {
            do { try RunFolder.check(name: name) } catch { return error.description }
        }
        if let data {
            if data.path.isEmpty { return "data.path must name a CSV file" }
            if data.labelColumn.isEmpty { return "data.label_column must name a column" }
            if data.testPath?.isEmpty == true { return "data.test_path must name a CSV file" }
            if !(data.testFraction > 0 && data.testFraction < 1) {
                return "data.test_fraction must be between 0 and 1, got \(data.testFraction)"
            }
            if !(data.validationFraction >= 0 && data.validationFraction < 1) {
                return "data.validation_fraction must be at least 0 and below 1, got \(data.validationFraction)"
            }
        }
        return nil
    }
}
