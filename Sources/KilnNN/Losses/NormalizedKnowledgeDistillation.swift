import Kiln

/// The normalized knowledge distillation loss (NKD) of Yang et al. 2023 ("From Knowledge
/// Distillation to Self-Knowledge Distillation: A Unified Approach with Normalized Loss and
/// Customized Soft Labels"), per row:
///
///     −t_y · log s_y  −  γ · T² · Σ_{k≠y} t̂_k · log ŝ_k
///
/// t = softmax(teacher) and s = softmax(student) give the target term; t̂ and ŝ are the softmaxes
/// of the non-target logits divided by the temperature T, i.e. the non-target probabilities
/// renormalized to sum to 1. The teacher gets no gradient. The paper suggests γ = 1.5, T = 1.
/// Classes lie on the last axis; `labels` are int64 with the logits' shape minus that axis.
public func normalizedKnowledgeDistillation(studentLogits: Tensor, teacherLogits: Tensor, labels: Tensor,
                                            temperature: Float = 1, gamma: Float = 1.5,
                                            reduction: LossReduction = .mean) -> Tensor {
    precondition(studentLogits.shape == teacherLogits.shape,
                 "normalizedKnowledgeDistillation: student \(studentLogits.shape) and teacher \(teacherLogits.shape) differ in shape")
    precondition(temperature > 0, "normalizedKnowledgeDistillation: temperature must be positive, got \(temperature)")
    let op = "normalizedKnowledgeDistillation"
    let teacher = teacherLogits.detached()
    let targetTeacher = pickingLabels(logProbabilities(teacher), labels, op: op).exp()
    let targetStudent = pickingLabels(logProbabilities(studentLogits), labels, op: op)
    let targetTerm = -(targetTeacher * targetStudent)

    let classes = studentLogits.shape[studentLogits.rank - 1]
    precondition(classes >= 2, "normalizedKnowledgeDistillation: needs at least 2 classes, got logits \(studentLogits.shape)")
    let isTarget = labels.oneHot(classes: classes) .== 1
    let nonTargetStudent = logProbabilities(studentLogits.maskedFill(isTarget, -.infinity) / temperature)
    let nonTargetTeacher = logProbabilities(teacher.maskedFill(isTarget, -.infinity) / temperature).exp()
    let crossEntropy = Tensor.where(isTarget, Tensor(0), nonTargetTeacher * nonTargetStudent).sum(axis: -1)
    return reduction.apply(to: targetTerm - gamma * temperature * temperature * crossEntropy)
}
