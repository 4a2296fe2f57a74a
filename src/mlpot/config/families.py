"""The `model:` section of training configs: one section class per registered model family,
chosen by its `family` key (default "nnp").

The built-in families' sections (config.schema.ModelSection) are there from the start; since
pydantic models are fixed when their class is built, registering another family with a config
section rebuilds the configs that hold a `model:` section with the new choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Union

from pydantic import BaseModel, Discriminator, Field, Tag, TypeAdapter
from pydantic.fields import FieldInfo

DEFAULT_FAMILY = "nnp"


def family_name(value: Any) -> str | None:
    if isinstance(value, Mapping):
        return str(value.get("family", DEFAULT_FAMILY))
    return getattr(value, "family", None)


def model_section_type(sections: list[type[BaseModel]]) -> Any:
    """A field type accepting any of `sections`, chosen by their `family` literal."""
    if len(sections) == 1:
        return sections[0]
    tagged = tuple(Annotated[s, Tag(family_literal(s))] for s in sections)
    return Annotated[Union[tagged], Discriminator(family_name)]  # noqa: UP007


def family_literal(section: type[BaseModel]) -> str:
    return section.model_fields["family"].annotation.__args__[0]


def refresh_model_sections() -> None:
    """Rebuild TrainConfig and ActiveConfig so that their `model:` sections accept every
    registered family with a config section."""
    from mlpot.active.config import ActiveConfig
    from mlpot.config.schema import ModelConfig, TrainConfig
    from mlpot.models.families import families

    sections = [f.config for f in families() if f.config is not None]
    field = FieldInfo.from_annotated_attribute(
        model_section_type(sections), Field(default_factory=ModelConfig)
    )
    for config in (TrainConfig, ActiveConfig):
        config.__pydantic_fields__["model"] = field
        config.model_rebuild(force=True)


def with_family_training_defaults(model: BaseModel, training: BaseModel) -> BaseModel:
    """`training` with the model section's `training_defaults` (a class attribute: dotted path
    in the training section -> value) wherever the config set no value; a path the chosen
    section lacks (an Adam learning rate under the Kalman filter) is skipped."""
    for path, value in getattr(type(model), "training_defaults", {}).items():
        training = _with_default(training, path.split("."), value)
    return training


def _with_default(section: BaseModel, keys: list[str], value: Any) -> BaseModel:
    name = keys[0]
    if name not in type(section).model_fields:
        return section
    if len(keys) == 1:  # the value validated as the field's type (a dict to its section)
        field = type(section).model_fields[name]
        return section if name in section.model_fields_set else section.model_copy(
            update={name: TypeAdapter(field.annotation).validate_python(value)})
    child = getattr(section, name)
    if not isinstance(child, BaseModel):
        return section
    new = _with_default(child, keys[1:], value)
    return section if new is child else section.model_copy(update={name: new})
