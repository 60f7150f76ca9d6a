#include "analysis/gpt/gpt_train.hpp"

#include "analysis/gpt/gpt_model.hpp"
#include "analysis/gpt/gpt_train_loop.hpp"

namespace roundlab::gpt {

TrainResult train_gpt(const GptPreset& preset, const WeightStoreSpec& policy, const CharDataset& data, std::uint64_t seed,
                      const TrainCallback& callback) {
  return train_gpt_loop<GptModel<float>>(preset, policy, data, seed, callback);
}

}  // namespace roundlab::gpt
