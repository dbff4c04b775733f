MatrixFacts.vo MatrixFacts.glob MatrixFacts.v.beautified MatrixFacts.required_vo: MatrixFacts.v 
MatrixFacts.vio: MatrixFacts.v 
MatrixFacts.vos MatrixFacts.vok MatrixFacts.required_vos: MatrixFacts.v 
BlockElimination.vo BlockElimination.glob BlockElimination.v.beautified BlockElimination.required_vo: BlockElimination.v MatrixFacts.vo
BlockElimination.vio: BlockElimination.v MatrixFacts.vio
BlockElimination.vos BlockElimination.vok BlockElimination.required_vos: BlockElimination.v MatrixFacts.vos
RankReduction.vo RankReduction.glob RankReduction.v.beautified RankReduction.required_vo: RankReduction.v MatrixFacts.vo
RankReduction.vio: RankReduction.v MatrixFacts.vio
RankReduction.vos RankReduction.vok RankReduction.required_vos: RankReduction.v MatrixFacts.vos
ReadoutFactorisation.vo ReadoutFactorisation.glob ReadoutFactorisation.v.beautified ReadoutFactorisation.required_vo: ReadoutFactorisation.v MatrixFacts.vo
ReadoutFactorisation.vio: ReadoutFactorisation.v MatrixFacts.vio
ReadoutFactorisation.vos ReadoutFactorisation.vok ReadoutFactorisation.required_vos: ReadoutFactorisation.v MatrixFacts.vos
RankBudget.vo RankBudget.glob RankBudget.v.beautified RankBudget.required_vo: RankBudget.v MatrixFacts.vo
RankBudget.vio: RankBudget.v MatrixFacts.vio
RankBudget.vos RankBudget.vok RankBudget.required_vos: RankBudget.v MatrixFacts.vos
SharedContextCeiling.vo SharedContextCeiling.glob SharedContextCeiling.v.beautified SharedContextCeiling.required_vo: SharedContextCeiling.v MatrixFacts.vo
SharedContextCeiling.vio: SharedContextCeiling.v MatrixFacts.vio
SharedContextCeiling.vos SharedContextCeiling.vok SharedContextCeiling.required_vos: SharedContextCeiling.v MatrixFacts.vos
TrivialLayer.vo TrivialLayer.glob TrivialLayer.v.beautified TrivialLayer.required_vo: TrivialLayer.v MatrixFacts.vo
TrivialLayer.vio: TrivialLayer.v MatrixFacts.vio
TrivialLayer.vos TrivialLayer.vok TrivialLayer.required_vos: TrivialLayer.v MatrixFacts.vos
PrescribedLogits.vo PrescribedLogits.glob PrescribedLogits.v.beautified PrescribedLogits.required_vo: PrescribedLogits.v MatrixFacts.vo
PrescribedLogits.vio: PrescribedLogits.v MatrixFacts.vio
PrescribedLogits.vos PrescribedLogits.vok PrescribedLogits.required_vos: PrescribedLogits.v MatrixFacts.vos
